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

    /** A store whose writes wait until the test opens the gate. */
    private static final class GatedStore implements RecordStorePort {
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch writing = new CountDownLatch(1);
        final List<AttemptRecord> saved = new CopyOnWriteArrayList<>();
        /** For each write, whether the queue said it was behind. */
        final List<Boolean> behind = new CopyOnWriteArrayList<>();
        volatile boolean failing;

        @Override
        public void saveAll(List<AttemptRecord> records, boolean behind) {
            this.behind.add(behind);
            saveAll(records);
        }

        @Override
        public void saveAll(List<AttemptRecord> records) {
            writing.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failing) {
                throw new IllegalStateException("disk I/O error");
            }
            saved.addAll(records);
        }

        @Override
        public void forgetBefore(Instant cutoff) {
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
            public void forgetBefore(Instant cutoff) {
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
     * Records that piled up while a write was slow are written as a store's catch-up (no yielding to requests between
     * parts of it); a batch of one gathering is not.
     */
    @Test
    void aBacklogIsWrittenAsACatchUp() throws InterruptedException {
        var store = new GatedStore();
        var queue = new RecordQueue(store, 10_000, Duration.ofDays(30), CLOCK, Duration.ofHours(1)).start();
        for (int i = 0; i <= RecordQueue.GATHER_REQUESTS; i++) {
            queue.accept(List.of(record("g" + i)));
        }
        assertThat(store.writing.await(10, TimeUnit.SECONDS)).isTrue();

        // The store is slow with that gathering: more than two gatherings' worth pile up behind it.
        int piled = RecordQueue.BEHIND_REQUESTS + 10;
        for (int i = 0; i < piled; i++) {
            queue.accept(List.of(record("p" + i)));
        }
        store.gate.countDown();
        queue.close();

        assertThat(store.saved).hasSize(RecordQueue.GATHER_REQUESTS + 1 + piled);
        assertThat(store.behind).containsExactly(false, true);
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

    private static AttemptRecord record(String requestId) {
        return new AttemptRecord(requestId, 1, NOW, InboundFormat.CHAT, "m", Optional.of("m"), Optional.empty(), 200,
                RecordOutcome.SUCCESS, Optional.empty(), Optional.empty(), true, Optional.empty(), Duration.ZERO,
                TokenUsage.NONE, true);
    }
}
