package dev.tokenproxy.application.service;

import dev.tokenproxy.application.port.out.RecordStorePort;
import dev.tokenproxy.domain.record.AttemptRecord;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Carries records from requests to the store off the request path: a bounded queue of requests' records, drained by
 * one writer thread in batches (one store transaction each). A full queue drops and counts, it never blocks a
 * request; a failing store is counted and logged, it never reaches a client. {@link #close()} writes what is queued
 * before returning, for the drain on SIGTERM.
 *
 * <p>The queue takes no lock. A lock shared with a platform-thread writer made a request that found it held park until
 * the writer let go and woke it; a virtual thread woken from outside the carriers can wait for seconds while they are
 * all busy (ADR 0016), and that request's connection with it.
 *
 * <p>The writer is a virtual thread, scheduled among the requests' own (ADR 0021). As a platform thread it was the
 * kernel's to schedule, which let each of its runs finish its time slice while a request woken meanwhile waited for
 * the core: on one core a lone client's p90 went from ~50 to ~160-210 µs. On a carrier, the writer gives way between
 * short runs of a write until a request ends ({@link #giveWay()}), so the requests that became ready go first.
 * Retention works the same way: old records are forgotten a few thousand per turn of the writer, not an hour's worth
 * in one statement.
 */
public final class RecordQueue implements RecordSink, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RecordQueue.class.getName());
    /** Requests per store transaction at most: a backlog is written in several, none of them huge. */
    static final int BATCH_REQUESTS = 4096;
    /**
     * How long the writer lets records gather after the first one arrives. Waking the writer and running a store
     * transaction for each request would cost more CPU than the request itself; gathering for this long makes it a
     * few transactions a second at low traffic (at high traffic {@link #GATHER_REQUESTS} ends it sooner), while a
     * record still shows in the admin API within a moment.
     */
    static final Duration GATHER = Duration.ofMillis(100);
    /**
     * Requests whose records end the gathering before its time is up. Records that wait the whole window at a high
     * rate outlive several young collections and overflow the survivor spaces, which promotes them and whatever else
     * is young with them (Helidon's read chunks among it, which then drag their successors along): at 25k requests a
     * second a full collection came every ~3 s in 45 s runs, none with this count (benchmark.md, ninth pass; a soak
     * still has them, less often). A count keeps a record's wait shorter as the traffic (and so the collections)
     * grows; 256 is ~10 ms at that rate, and still far more records than the fixed cost of a transaction needs.
     */
    static final int GATHER_REQUESTS = 256;
    /**
     * More requests than this waiting means records are piling up: the writer gives way to requests only every
     * {@link #RUNS_PER_TURN_WHEN_BEHIND} runs of a write until they are fewer again. A writer that gave way between all
     * the parts of every batch got too little of a saturated core at ~40k requests a second and dropped 4,001
     * requests' records in three seconds (benchmark.md, sixteenth pass); at a steady rate the queue stays near one
     * gathering, and the giving way after every run remains.
     */
    static final int BEHIND_REQUESTS = 2 * GATHER_REQUESTS;
    /**
     * Runs of a write between two turns given to requests while records pile up (~1 ms of writing). Not giving way at
     * all held a one-core gateway's requests for the whole catch-up: the records that gathered while the writer waited
     * for a checkpoint (17-90 ms at one busy connection) took 10-24 ms to write, and every request waited for it
     * (benchmark.md, nineteenth pass). Giving way once a millisecond still leaves the writer most of a saturated core's
     * spare time.
     */
    static final int RUNS_PER_TURN_WHEN_BEHIND = 16;
    /**
     * The longest the writer gives way for between two runs of a write, when no request ends meanwhile to wake it
     * (which means the requests are few).
     */
    static final Duration GIVE_WAY_AT_MOST = Duration.ofMillis(1);
    private static final Duration RETENTION_SWEEP = Duration.ofHours(1);
    /**
     * Old records forgotten per turn of the writer while a sweep is under way, in smaller runs with the writer giving
     * way between them. New records are written between turns, so a sweep of millions neither fills the queue nor
     * holds a core.
     */
    static final int SWEEP_RECORDS_PER_TURN = 4096;

    private final Queue<List<AttemptRecord>> queue = new ConcurrentLinkedQueue<>();
    private final int capacity;
    private final RecordStorePort store;
    private final Duration retention;
    private final Clock clock;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Requests queued and not yet taken by the writer: the bound, and what wakes the writer. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final Duration gather;
    private final long giveWayNanos;
    private final Runnable giveWay = this::giveWay;
    private final Thread writer;
    private volatile boolean closed;
    /** The writer waits for a request to end before its next run ({@link #giveWay()}). */
    private volatile boolean givingWay;
    /** A request ended while the writer gave way. */
    private volatile boolean requestEnded;
    /** Runs written since the writer last gave way while behind. Used by the writer only. */
    private int runsSinceTurn;
    private Instant nextSweep = Instant.MIN;
    /** The cutoff of the sweep under way, or null between sweeps. Used by the writer only. */
    private Instant sweepCutoff;

    /** @param capacity how many requests' records may wait for the writer */
    public RecordQueue(RecordStorePort store, int capacity, Duration retention, Clock clock) {
        this(store, capacity, retention, clock, GATHER, GIVE_WAY_AT_MOST);
    }

    /** @param gather how long records may gather for one transaction (tests use a long one) */
    RecordQueue(RecordStorePort store, int capacity, Duration retention, Clock clock, Duration gather) {
        this(store, capacity, retention, clock, gather, GIVE_WAY_AT_MOST);
    }

    /** @param giveWayAtMost how long the writer gives way for when no request ends (tests use a long one) */
    RecordQueue(RecordStorePort store, int capacity, Duration retention, Clock clock, Duration gather,
                Duration giveWayAtMost) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.store = store;
        this.retention = retention;
        this.clock = clock;
        this.gather = gather;
        this.giveWayNanos = giveWayAtMost.toNanos();
        this.writer = Thread.ofVirtual().name("record-writer").unstarted(this::drain);
    }

    public RecordQueue start() {
        writer.start();
        return this;
    }

    @Override
    public void accept(List<AttemptRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        if (givingWay) {
            // From a request's own thread, so the writer joins the queue of its carrier, behind what is ready there.
            requestEnded = true;
            LockSupport.unpark(writer);
        }
        var copy = List.copyOf(records);
        boolean open = !closed;
        int before = open ? waiting.getAndIncrement() : capacity;
        if (before < capacity) {
            queue.add(copy);
            // The first request of a gathering wakes the writer, and so does the one that fills the gathering.
            if (before == 0 || before + 1 == GATHER_REQUESTS) {
                LockSupport.unpark(writer);
            }
        } else {
            if (open) {
                waiting.decrementAndGet();
            }
            // Log the first drop and then every thousandth, so a stuck disk cannot flood the log as well.
            if (dropped.getAndAdd(records.size()) % 1000 == 0) {
                LOG.log(Level.WARNING, "record queue full: records dropped ({0} so far); the store is slower "
                        + "than the traffic or failing", dropped.get());
            }
        }
    }

    public long written() {
        return written.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Records the store failed to keep. */
    public long failed() {
        return failed.get();
    }

    /** Stops taking records and writes every queued one before returning (bounded by {@code wait}). */
    public void close(Duration wait) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (writer.isAlive()) {
                LockSupport.unpark(writer);
                writer.join(wait.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!queue.isEmpty()) {
            LOG.log(Level.WARNING, "record store did not take {0} queued requests'' records before the stop",
                    queue.size());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private void drain() {
        var batch = new ArrayList<List<AttemptRecord>>(BATCH_REQUESTS);
        while (!Thread.currentThread().isInterrupted()) {
            boolean sweeping = sweepSome();
            boolean closing = closed;
            if (waiting.get() == 0) {
                if (closing) {
                    // Whatever a request queued before it saw the queue closed was taken above: nothing is lost.
                    return;
                }
                if (!sweeping) {
                    LockSupport.parkNanos(this, TimeUnit.MINUTES.toNanos(1));
                }
                continue;
            }
            if (!closing && !sweeping) {
                gather();
            }
            for (List<AttemptRecord> records; batch.size() < BATCH_REQUESTS && (records = queue.poll()) != null; ) {
                batch.add(records);
            }
            waiting.addAndGet(-batch.size());
            write(batch);
            batch.clear();
        }
    }

    /**
     * Sleeps for the gathering window unless {@link #GATHER_REQUESTS} requests are waiting or the queue is closing.
     * The writer parks rather than waits on the queue, so only requests that find the gathering full wake it.
     */
    private void gather() {
        long deadline = System.nanoTime() + gather.toNanos();
        long left;
        while (!closed && waiting.get() < GATHER_REQUESTS && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
    }

    /**
     * Between two runs of a write, waits until a request ends (or {@link #GIVE_WAY_AT_MOST}), unless the queue is
     * closing; while records pile up, only every {@link #RUNS_PER_TURN_WHEN_BEHIND} runs. A yield would not do: a
     * virtual thread that yields while its carrier's queue is empty is resubmitted from outside, and under load the
     * JDK's scheduler (25) takes such threads only when that queue runs dry (see WakeupHeartbeat): batches that gave
     * way by yielding took 30-140 ms at 64 connections, and the queue filled. A request that ends wakes the writer from
     * within, so it takes its turn behind the requests already ready.
     */
    private void giveWay() {
        if (closed || waiting.get() > BEHIND_REQUESTS && ++runsSinceTurn < RUNS_PER_TURN_WHEN_BEHIND) {
            return;
        }
        runsSinceTurn = 0;
        requestEnded = false;
        givingWay = true;
        // A permit left by an earlier wake (the first record of a gathering) must not cut the wait short.
        long deadline = System.nanoTime() + giveWayNanos;
        long left;
        while (!requestEnded && !closed && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
        givingWay = false;
    }

    private void write(List<List<AttemptRecord>> batch) {
        var records = new ArrayList<AttemptRecord>();
        batch.forEach(records::addAll);
        if (records.isEmpty()) {
            return;
        }
        try {
            store.saveAll(records, giveWay);
            written.addAndGet(records.size());
        } catch (RuntimeException e) {
            failed.addAndGet(records.size());
            LOG.log(Level.ERROR, "record store could not write " + records.size() + " records ("
                    + failed.get() + " lost so far): " + e.getMessage());
        }
    }

    /**
     * Forgets up to {@link #SWEEP_RECORDS_PER_TURN} records past retention when a sweep is due or under way.
     *
     * @return whether the sweep is still under way (more old records may be left)
     */
    private boolean sweepSome() {
        if (sweepCutoff == null) {
            Instant now = clock.instant();
            if (now.isBefore(nextSweep)) {
                return false;
            }
            nextSweep = now.plus(RETENTION_SWEEP);
            sweepCutoff = now.minus(retention);
        }
        try {
            if (store.forgetBefore(sweepCutoff, SWEEP_RECORDS_PER_TURN, giveWay) >= SWEEP_RECORDS_PER_TURN) {
                return true;
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "record store could not forget old records: " + e.getMessage());
        }
        sweepCutoff = null;
        return false;
    }
}
