package dev.tokenproxy.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.port.out.RecordStorePort;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.RecordOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecordQueueTest {

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** A store whose writes wait until the test opens the gate, then give way once, as between two runs. */
    private static final class GatedStore implements RecordStorePort {
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch writing = new CountDownLatch(1);
        final CountDownLatch wrote = new CountDownLatch(1);
        final List<AttemptRecord> saved = new CopyOnWriteArrayList<>();
        volatile boolean failing;
        /** How many times a write gives way, as after so many runs. */
        volatile int runs = 1;

        @Override
        public void saveAll(List<AttemptRecord> records, Runnable giveWay) {
            writing.countDown();
            await(gate);
            for (int run = 0; run < runs; run++) {
                giveWay.run();
            }
            if (failing) {
                throw new IllegalStateException("disk I/O error");
            }
            saved.addAll(records);
            wrote.countDown();
        }

        @Override
        public void saveAll(List<AttemptRecord> records) {
            saveAll(records, () -> { });
        }

        @Override
        public int forgetBefore(Instant cutoff, int atMost, Runnable giveWay) {
            return 0;
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlockingTheRequest() throws InterruptedException {
        var store = new GatedStore();
        var queue = new RecordQueue(store, 2, Duration.ofDays(30), CLOCK).start();
        queue.accept(List.of(record("r0")));
        assertThat(store.writing.await(5, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        for (int i = 1; i <= 10; i++) {
            queue.accept(List.of(record("r" + i)));
        }
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(tookMillis).isLessThan(1000);
        assertThat(queue.dropped()).isEqualTo(8);
        store.gate.countDown();
        queue.close();
        assertThat(queue.written()).isEqualTo(3);
        assertThat(store.saved).extracting(AttemptRecord::requestId).containsExactly("r0", "r1", "r2");
    }

    /**
     * The queue takes no lock, so its count is all that bounds it and tells the writer when it is done: with many
     * requests at once against a small bound and a writer that keeps up only partly, every record must end up either
     * written or counted as dropped, and the close must still find the queue empty.
     */
    @Test
    void manyRequestsAtOnceLoseNoRecordUncounted() throws InterruptedException {
        var store = new GatedStore();
        store.gate.countDown();
        var queue = new RecordQueue(store, 64, Duration.ofDays(30), CLOCK, Duration.ofMillis(1)).start();
        int threads = 8;
        int each = 5_000;
        var done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) {
                    queue.accept(List.of(record(thread + "-" + i)));
                }
                done.countDown();
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        queue.close();

        assertThat(queue.written() + queue.dropped()).isEqualTo((long) threads * each);
        assertThat(store.saved).hasSize((int) queue.written());
        assertThat(queue.written()).isPositive();
    }

    @Test
    void closeWritesEverythingQueuedBeforeReturning() {
        var store = new GatedStore();
        store.gate.countDown();
        var queue = new RecordQueue(store, 1000, Duration.ofDays(30), CLOCK).start();
        for (int i = 0; i < 600; i++) {
            queue.accept(List.of(record("r" + i), record("r" + i)));
        }

        queue.close();

        assertThat(store.saved).hasSize(1200);
        assertThat(queue.dropped()).isZero();
    }

    @Test
    void requestsArrivingTogetherShareOneStoreTransaction() {
        var store = new GatedStore();
        store.gate.countDown();
        var transactions = new java.util.concurrent.atomic.AtomicInteger();
        RecordStorePort counting = new RecordStorePort() {
            @Override
            public void saveAll(List<AttemptRecord> records) {
                transactions.incrementAndGet();
                store.saveAll(records);
            }

            @Override
            public int forgetBefore(Instant cutoff, int atMost, Runnable giveWay) {
                return 0;
            }
        };
        var queue = new RecordQueue(counting, 10_000, Duration.ofDays(30), CLOCK).start();

        for (int i = 0; i < 2000; i++) {
            queue.accept(List.of(record("r" + i)));
        }
        queue.close();

        // One transaction per request would cost more than the request; a burst is gathered into transactions of at
        // least GATHER_REQUESTS requests (and one more if the writer took the first record alone before gathering).
        assertThat(store.saved).hasSize(2000);
        assertThat(transactions.get()).isLessThanOrEqualTo(2000 / RecordQueue.GATHER_REQUESTS + 2);
    }

    @Test
    void aFullGatheringIsWrittenWithoutWaitingOutTheWindow() throws InterruptedException {
        var store = new GatedStore();
        store.gate.countDown();
        // A window no test outlives: only the count can end this gathering.
        var queue = new RecordQueue(store, 10_000, Duration.ofDays(30), CLOCK, Duration.ofHours(1)).start();

        for (int i = 0; i <= RecordQueue.GATHER_REQUESTS; i++) {
            queue.accept(List.of(record("r" + i)));
        }

        assertThat(store.writing.await(10, TimeUnit.SECONDS)).isTrue();
        queue.close();
        assertThat(store.saved).hasSize(RecordQueue.GATHER_REQUESTS + 1);
    }

    /**
     * Between two runs of a write the writer waits for a request to end, which wakes it from the request's own carrier
     * (a yield under load left it waiting for the carrier's whole queue to run dry).
     */
    @Test
    void betweenRunsTheWriterWaitsUntilARequestEnds() throws InterruptedException {
        var store = new GatedStore();
        // Gathering ends at once; giving way would last an hour unless a request ends.
        var queue = new RecordQueue(store, 10_000, Duration.ofDays(30), CLOCK, Duration.ofMillis(1),
                Duration.ofHours(1)).start();
        queue.accept(List.of(record("first")));
        assertThat(store.writing.await(10, TimeUnit.SECONDS)).isTrue();
        // Queued while "first" is written: from now on no request's record is the first of a gathering, whose
        // arrival wakes the writer anyway.
        queue.accept(List.of(record("second")));
        store.gate.countDown();
        assertThat(store.wrote.await(200, TimeUnit.MILLISECONDS)).as("still giving way").isFalse();

        queue.accept(List.of(record("third")));

        assertThat(store.wrote.await(10, TimeUnit.SECONDS)).isTrue();
        queue.close();
        assertThat(store.saved).extracting(AttemptRecord::requestId).containsExactly("first", "second", "third");
    }

    /** Records piling up while a write was slow: the writer gives way only every so many runs until written. */
    @Test
    void aBacklogIsWrittenWithoutGivingWayAfterEveryRun() throws InterruptedException {
        var store = new GatedStore();
        var queue = queueBehindASlowWrite(store);

        assertThat(store.wrote.await(10, TimeUnit.SECONDS)).as("written without waiting for a request").isTrue();
        queue.close();
        assertThat(store.saved).hasSize(1 + PILED);
    }

    /**
     * Even while records pile up, a long write gives the requests a turn every so many runs: a one-core gateway's
     * requests waited for whole catch-ups of 10-24 ms.
     */
    @Test
    void aBacklogStillGivesWayEverySoManyRuns() throws InterruptedException {
        var store = new GatedStore();
        store.runs = RecordQueue.RUNS_PER_TURN_WHEN_BEHIND;
        var queue = queueBehindASlowWrite(store);
        assertThat(store.wrote.await(200, TimeUnit.MILLISECONDS)).as("giving way after the last run").isFalse();

        queue.accept(List.of(record("last")));

        assertThat(store.wrote.await(10, TimeUnit.SECONDS)).isTrue();
        queue.close();
        assertThat(store.saved).hasSize(2 + PILED);
    }

    /** More than BEHIND_REQUESTS requests' records, queued while the store is slow with the first one's. */
    private static final int PILED = RecordQueue.BEHIND_REQUESTS + 10;

    /**
     * A queue whose writer gives way for an hour unless a request ends, with {@link #PILED} requests queued behind a
     * write of one that the store then lets go on; none ends after them.
     */
    private static RecordQueue queueBehindASlowWrite(GatedStore store) throws InterruptedException {
        var queue = new RecordQueue(store, 10_000, Duration.ofDays(30), CLOCK, Duration.ofMillis(1),
                Duration.ofHours(1)).start();
        queue.accept(List.of(record("first")));
        assertThat(store.writing.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < PILED; i++) {
            queue.accept(List.of(record("p" + i)));
        }
        store.gate.countDown();
        return queue;
    }

    @Test
    void fewRequestsWaitForTheWindow() throws InterruptedException {
        var store = new GatedStore();
        store.gate.countDown();
        var queue = new RecordQueue(store, 10_000, Duration.ofDays(30), CLOCK, Duration.ofHours(1)).start();

        for (int i = 0; i < RecordQueue.GATHER_REQUESTS / 2; i++) {
            queue.accept(List.of(record("r" + i)));
        }

        // Nothing wakes the writer before its window ends, so nothing is written until the close drains the queue.
        assertThat(store.writing.await(200, TimeUnit.MILLISECONDS)).isFalse();
        queue.close();
        assertThat(store.saved).hasSize(RecordQueue.GATHER_REQUESTS / 2);
    }

    @Test
    void aFailingStoreIsCountedAndNeverThrowsAtTheCaller() {
        var store = new GatedStore();
        store.failing = true;
        store.gate.countDown();
        var queue = new RecordQueue(store, 10, Duration.ofDays(30), CLOCK).start();

        queue.accept(List.of(record("r1")));
        queue.close();

        assertThat(queue.failed()).isEqualTo(1);
        assertThat(queue.written()).isZero();
    }

    /**
     * The writer is scheduled among the requests' virtual threads, so that a store that yields between its runs lets
     * the requests that became ready go first (ADR 0021); a platform thread's runs are the kernel's to schedule.
     */
    @Test
    void theWriterIsAVirtualThread() {
        var threads = new CopyOnWriteArrayList<Thread>();
        RecordStorePort store = new RecordStorePort() {
            @Override
            public void saveAll(List<AttemptRecord> records) {
                threads.add(Thread.currentThread());
            }

            @Override
            public int forgetBefore(Instant cutoff, int atMost, Runnable giveWay) {
                threads.add(Thread.currentThread());
                return 0;
            }
        };
        var queue = new RecordQueue(store, 10, Duration.ofDays(30), CLOCK).start();
        queue.accept(List.of(record("r1")));
        queue.close();

        assertThat(threads).hasSizeGreaterThanOrEqualTo(2).allMatch(Thread::isVirtual);
    }

    /**
     * Retention forgets old records a bounded number per turn of the writer and writes what requests queued between
     * turns: an hour's worth of old records in one statement held the writer for as long as it took, while the queue
     * filled and, on a carrier, the requests waited.
     */
    @Test
    void aLongSweepIsSpreadOverTurnsWithNewRecordsWrittenBetween() throws InterruptedException {
        int old = 3 * RecordQueue.SWEEP_RECORDS_PER_TURN + 5;
        var events = new CopyOnWriteArrayList<String>();
        var firstTurn = new CountDownLatch(1);
        var queued = new CountDownLatch(1);
        var cutoffs = new CopyOnWriteArrayList<Instant>();
        var saved = new CountDownLatch(1);
        var swept = new CountDownLatch(1);
        RecordStorePort store = new RecordStorePort() {
            private int left = old;

            @Override
            public void saveAll(List<AttemptRecord> records) {
                records.forEach(r -> events.add("save " + r.requestId()));
                saved.countDown();
            }

            @Override
            public int forgetBefore(Instant cutoff, int atMost, Runnable giveWay) {
                cutoffs.add(cutoff);
                if (firstTurn.getCount() > 0) {
                    firstTurn.countDown();
                    await(queued);
                }
                int forgotten = Math.min(atMost, left);
                left -= forgotten;
                events.add("forget " + forgotten + " of at most " + atMost);
                if (forgotten < atMost) {
                    swept.countDown();
                }
                return forgotten;
            }
        };
        var queue = new RecordQueue(store, 10_000, Duration.ofDays(30), CLOCK, Duration.ofHours(1)).start();
        assertThat(firstTurn.await(10, TimeUnit.SECONDS)).isTrue();
        queue.accept(List.of(record("during-the-sweep")));
        queued.countDown();

        int perTurn = RecordQueue.SWEEP_RECORDS_PER_TURN;
        // The gathering window is an hour: only a writer that does not gather while it sweeps writes this record
        // before the close.
        assertThat(saved.await(10, TimeUnit.SECONDS)).isTrue();
        // A close does not wait for a sweep (the next start sweeps again): let this one finish first.
        assertThat(swept.await(10, TimeUnit.SECONDS)).isTrue();
        queue.close();

        assertThat(events).startsWith("forget " + perTurn + " of at most " + perTurn, "save during-the-sweep");
        assertThat(events).filteredOn(e -> e.startsWith("forget")).containsExactly(
                "forget " + perTurn + " of at most " + perTurn, "forget " + perTurn + " of at most " + perTurn,
                "forget " + perTurn + " of at most " + perTurn, "forget 5 of at most " + perTurn);
        assertThat(cutoffs).containsOnly(NOW.minus(Duration.ofDays(30)));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static AttemptRecord record(String requestId) {
        return new AttemptRecord(requestId, 1, NOW, InboundFormat.CHAT, "m", Optional.of("m"), Optional.empty(), 200,
                RecordOutcome.SUCCESS, Optional.empty(), Optional.empty(), true, Optional.empty(), Duration.ZERO,
                TokenUsage.NONE, true);
    }
}
