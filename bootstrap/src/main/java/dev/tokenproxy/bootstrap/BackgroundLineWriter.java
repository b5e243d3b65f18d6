package dev.tokenproxy.bootstrap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * A log handler that formats each record on the caller's thread and leaves the writing to one platform thread,
 * which writes whatever has gathered in one go.
 *
 * <p>Why: the gateway logs one line per request from the request's virtual thread. Written there, every line took
 * the console's lock and made a blocking write to stderr, and a virtual thread that blocks on a file compensates with
 * another carrier thread: at info level that was half the CPU of a request (benchmark.md). Here a request thread only
 * formats its line and hands it over; lines stay in order, and a stderr that nobody reads (a full pipe) never slows a
 * request: past {@link #DEFAULT_CAPACITY} waiting lines, new lines are dropped and counted, and the count is written
 * once there is room.
 *
 * <p>After the first line of a batch wakes it, the writer lets lines gather for {@link #DEFAULT_GATHER} before it
 * writes them. Woken for every line or two, as it was at a few thousand requests a second, the writer's wake-ups and
 * small writes took ~7% of the gateway's CPU on a one-core gateway (benchmark.md, fourth pass); a line now reaches the
 * log at most that much later.
 */
final class BackgroundLineWriter extends Handler {

    static final int DEFAULT_CAPACITY = 65_536;
    static final Duration DEFAULT_GATHER = Duration.ofMillis(20);
    private static final int KEPT_BATCH_BYTES = 64 * 1024;

    private final OutputStream out;
    private final int capacity;
    private final long gatherNanos;
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    /** Held while writing, so that a {@link #flush()} from another thread never interleaves with the writer. */
    private final ReentrantLock writing = new ReentrantLock();
    /**
     * The bytes of one batch, kept from batch to batch (used under {@link #writing}): gathering lines in a new text and
     * encoding it whole copied each line three more times.
     */
    private ByteArrayOutputStream batch = new ByteArrayOutputStream(KEPT_BATCH_BYTES);
    private final Thread writer;
    private volatile boolean closed;

    BackgroundLineWriter(OutputStream out) {
        this(out, DEFAULT_CAPACITY, DEFAULT_GATHER);
    }

    BackgroundLineWriter(OutputStream out, int capacity, Duration gather) {
        this.out = out;
        this.capacity = capacity;
        this.gatherNanos = gather.toNanos();
        setFormatter(new ConsoleLogging.LineFormatter());
        this.writer = Thread.ofPlatform().name("token-proxy-log-writer").daemon().start(this::writeUntilClosed);
    }

    @Override
    public void publish(LogRecord record) {
        if (closed || !isLoggable(record)) {
            return;
        }
        String line;
        try {
            line = getFormatter().format(record);
        } catch (RuntimeException e) {
            reportError("cannot format a log record", e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        int before = waiting.getAndIncrement();
        if (before >= capacity) {
            waiting.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        lines.add(line);
        if (before == 0) {
            LockSupport.unpark(writer); // once per batch: the writer takes everything that gathered meanwhile
        }
    }

    /** Writes every line handed over so far before it returns: for a process about to print its last words. */
    @Override
    public void flush() {
        writeWaitingLines();
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        writeWaitingLines();
    }

    private void writeUntilClosed() {
        while (!closed) {
            if (waiting.get() == 0) {
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
                continue;
            }
            gather();
            writeWaitingLines();
        }
    }

    /**
     * Sleeps for the gathering time, or less when the queue is half full or closing. Callers meanwhile find lines
     * waiting and wake no one, so a busy gateway wakes the writer once per gathering time.
     */
    private void gather() {
        long deadline = System.nanoTime() + gatherNanos;
        long left;
        while (!closed && waiting.get() < capacity / 2 && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
    }

    /** Lines leave the queue only here, under the lock: so a flush sees every line handed over, in order. */
    private void writeWaitingLines() {
        writing.lock();
        try {
            drainIntoBatch();
            write();
        } finally {
            writing.unlock();
        }
    }

    private void drainIntoBatch() {
        for (String line = lines.poll(); line != null; line = lines.poll()) {
            waiting.decrementAndGet();
            batch.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        }
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            batch.writeBytes(("(" + lost + " log lines dropped: the log output did not keep up)"
                    + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void write() {
        if (batch.size() == 0) {
            return;
        }
        try {
            batch.writeTo(out);
            out.flush();
        } catch (IOException e) {
            reportError("cannot write the log", e, ErrorManager.WRITE_FAILURE);
        } finally {
            // Keep the buffer for the next batch, unless a burst made it large.
            batch = batch.size() > KEPT_BATCH_BYTES ? new ByteArrayOutputStream(KEPT_BATCH_BYTES) : batch;
            batch.reset();
        }
    }
}
