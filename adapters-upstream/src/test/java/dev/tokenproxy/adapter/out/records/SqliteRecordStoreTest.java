package dev.tokenproxy.adapter.out.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.RecordOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRecordStoreTest {

    @TempDir
    Path dataDir;

    private static AttemptRecord record(String requestId, int inputTokens) {
        return new AttemptRecord(requestId, 1, Instant.parse("2026-12-03T12:00:00Z"), InboundFormat.CHAT,
                "gpt-4o-mini", Optional.of("gpt-4o-mini"), Optional.of(new CredentialKey("bench", "key-1")), 200,
                RecordOutcome.SUCCESS, Optional.empty(), Optional.empty(), true, Optional.of(Duration.ofMillis(3)),
                Duration.ofMillis(4), new TokenUsage(inputTokens, 0, 0, 7, 0), true);
    }

    @Test
    void aBatchWrittenInSeveralStatementRunsKeepsEveryRecordOnce() {
        // Three whole runs and a part: the rows of every run and of the last, short one must all land, none twice.
        int count = 3 * SqliteRecordStore.ROWS_PER_RUN + 5;
        var batch = new ArrayList<AttemptRecord>();
        for (int i = 0; i < count; i++) {
            batch.add(record("req_%04d".formatted(i), i));
        }
        try (var store = SqliteRecordStore.open(dataDir)) {
            var givenWay = new java.util.concurrent.atomic.AtomicInteger();
            store.saveAll(batch, givenWay::incrementAndGet);

            assertThat(givenWay).as("once after each whole run").hasValue(3);
            for (int i = 0; i < count; i++) {
                assertThat(store.recordsOf("req_%04d".formatted(i))).as("request %d", i).containsExactly(batch.get(i));
            }
        }
    }

    @Test
    void eachRowOfAManyRowInsertKeepsItsOwnValuesAndGaps() {
        // Rows of one statement differ in which columns they leave empty: a value bound one row off would show here.
        int count = 2 * SqliteRecordStore.ROWS_PER_RUN + 3;
        var batch = new ArrayList<AttemptRecord>();
        for (int i = 0; i < count; i++) {
            boolean failed = i % 3 == 0;
            batch.add(new AttemptRecord("req_%04d".formatted(i), i % 4, Instant.parse("2026-12-03T12:00:00Z").plusMillis(i),
                    i % 2 == 0 ? InboundFormat.CHAT : InboundFormat.MESSAGES, "model-" + i,
                    i % 5 == 0 ? Optional.empty() : Optional.of("served-" + i),
                    i % 7 == 0 ? Optional.empty() : Optional.of(new CredentialKey("up-" + i, "key-" + i)),
                    failed ? 429 : 200, failed ? RecordOutcome.RETRYABLE : RecordOutcome.SUCCESS,
                    failed ? Optional.of(RetryReason.RATE_LIMITED) : Optional.empty(),
                    failed ? Optional.of("detail " + i) : Optional.empty(), !failed,
                    i % 2 == 1 ? Optional.of(Duration.ofMillis(i)) : Optional.empty(), Duration.ofMillis(10 + i),
                    new TokenUsage(i, i + 1, i + 2, i + 3, i + 4), !failed));
        }
        try (var store = SqliteRecordStore.open(dataDir)) {
            var givenWay = new java.util.concurrent.atomic.AtomicInteger();
            store.saveAll(batch, givenWay::incrementAndGet);

            assertThat(givenWay).as("once after each whole run").hasValue(2);
            for (int i = 0; i < count; i++) {
                assertThat(store.recordsOf("req_%04d".formatted(i))).as("request %d", i).containsExactly(batch.get(i));
            }
        }
    }

    @Test
    void batchesAfterTheFirstReuseTheInsertAndKeepOnlyTheirOwnRows() {
        try (var store = SqliteRecordStore.open(dataDir)) {
            store.saveAll(List.of(record("req_a", 1)));
            store.saveAll(List.of(record("req_b", 2), record("req_c", 3)));

            assertThat(store.recordsOf("req_a")).containsExactly(record("req_a", 1));
            assertThat(store.recordsOf("req_b")).containsExactly(record("req_b", 2));
            assertThat(store.recordsOf("req_c")).containsExactly(record("req_c", 3));
        }
    }

    @Test
    void aBatchThatFailedLeavesNothingBehindForTheNext() throws Exception {
        try (var store = SqliteRecordStore.open(dataDir)) {
            store.saveAll(List.of(record("req_before", 1)));
            // Another writer holds the file's write lock past the store's busy timeout: the batch fails.
            try (var other = StoreFile.connect(dataDir)) {
                try (var statement = other.createStatement()) {
                    statement.execute("BEGIN IMMEDIATE");
                }
                assertThatThrownBy(() -> store.saveAll(List.of(record("req_failed", 2))))
                        .isInstanceOf(SqliteRecordStore.StoreUnavailableException.class);
                try (var statement = other.createStatement()) {
                    statement.execute("ROLLBACK");
                }
            }

            store.saveAll(List.of(record("req_after", 3)));

            assertThat(store.recordsOf("req_failed")).isEmpty();
            assertThat(store.recordsOf("req_after")).containsExactly(record("req_after", 3));
            assertThat(store.recordsOf("req_before")).containsExactly(record("req_before", 1));
        }
    }

    @Test
    void forgettingTakesOnlyOldRecordsAndAtMostTheAskedNumber() {
        Instant cutoff = Instant.parse("2026-12-01T00:00:00Z");
        int old = 2 * SqliteRecordStore.FORGET_ROWS_PER_RUN + 7;
        var batch = new ArrayList<AttemptRecord>();
        for (int i = 0; i < old; i++) {
            batch.add(at("req_old_%04d".formatted(i), cutoff.minusSeconds(old - i)));
        }
        batch.add(at("req_at_cutoff", cutoff));
        batch.add(at("req_new", cutoff.plusSeconds(1)));
        try (var store = SqliteRecordStore.open(dataDir)) {
            store.saveAll(batch);

            assertThat(store.forgetBefore(cutoff, 100, () -> { })).isEqualTo(100);
            assertThat(store.recordsOf("req_old_0099")).as("the oldest go first").isEmpty();
            assertThat(store.recordsOf("req_old_0100")).hasSize(1);
            // More than one run of the statement, and fewer than asked: none older is left.
            var givenWay = new java.util.concurrent.atomic.AtomicInteger();
            assertThat(store.forgetBefore(cutoff, 10_000, givenWay::incrementAndGet)).isEqualTo(old - 100);
            assertThat(givenWay).as("between runs of the delete").hasValue(1);
            assertThat(store.forgetBefore(cutoff, 10_000, () -> { })).isZero();

            assertThat(store.recordsOf("req_old_%04d".formatted(old - 1))).isEmpty();
            assertThat(store.recordsOf("req_at_cutoff")).hasSize(1);
            assertThat(store.recordsOf("req_new")).hasSize(1);
        }
    }

    /** Each run of a sweep finds the old rows by the index: reading the whole table for every run would not end. */
    @Test
    void forgettingFindsOldRecordsByTheIndexNotByReadingTheTable() throws Exception {
        try (var store = SqliteRecordStore.open(dataDir); var connection = StoreFile.connect(dataDir)) {
            var plan = StoreFile.queryPlan(connection, SqliteRecordStore.FORGET_RUN, 0L, 1);

            assertThat(plan).anyMatch(step -> step.contains("USING COVERING INDEX attempt_records_final"))
                    .noneMatch(step -> step.startsWith("SCAN attempt_records"));
        }
    }

    /**
     * The writer's commits leave the log to the store's checkpointer (the writer is a virtual thread, and the copy ends
     * with fsync), which copies it beside the writer once enough has been written.
     */
    @Test
    void committedRecordsReachTheFileOnceEnoughHaveGathered() throws Exception {
        Path file = dataDir.resolve(SqliteRecordStore.FILE_NAME);
        try (var store = SqliteRecordStore.open(dataDir)) {
            long empty = Files.size(file);
            store.saveAll(batch("small", 1_000));
            assertThat(Files.size(file)).as("a small commit copies nothing").isEqualTo(empty);

            store.saveAll(batch("large", WalCheckpointer.ROWS_PER_CHECKPOINT));
            store.awaitCheckpointCopy();

            assertThat(Files.size(file)).as("both batches copied").isGreaterThan(empty + 1_000_000);
        }
    }

    /**
     * The log starts again from its beginning every cycle of the checkpointer: a sweep of many small deletes (each its
     * own commit) must not leave a log that grew with every one of them.
     */
    @Test
    void aLongSweepLeavesABoundedLog() throws Exception {
        Path wal = dataDir.resolve(SqliteRecordStore.FILE_NAME + "-wal");
        Instant cutoff = Instant.parse("2026-12-01T00:00:00Z");
        try (var store = SqliteRecordStore.open(dataDir)) {
            for (int part = 0; part < 50; part++) {
                var old = new ArrayList<AttemptRecord>();
                for (int i = 0; i < 4_000; i++) {
                    old.add(at("req_old_%d_%05d".formatted(part, i), cutoff.minusSeconds(1_000_000 - i)));
                }
                store.saveAll(old);
            }

            int forgotten = 0;
            int truncations = 0;
            long largest = 0;
            long size = Files.size(wal);
            int run = SqliteRecordStore.FORGET_ROWS_PER_RUN;
            for (int turn; (turn = store.forgetBefore(cutoff, run, () -> { })) > 0; ) {
                forgotten += turn;
                long now = Files.size(wal);
                truncations += now < size ? 1 : 0;
                largest = Math.max(largest, now);
                size = now;
            }

            assertThat(forgotten).isEqualTo(200_000);
            // 1,563 commits of ~470 KB of log each. A cycle begins every 64 commits, and the log is begun again when
            // its copy is done or 64 commits later: some 12-24 times, and never more than 128 commits' worth (~60 MB).
            // A log never begun again would hold all of them.
            assertThat(truncations).as("times the log was begun again").isGreaterThanOrEqualTo(10);
            assertThat(largest).as("the write-ahead log's largest size").isLessThan(96L << 20);
        }
    }

    private static List<AttemptRecord> batch(String prefix, int size) {
        var batch = new ArrayList<AttemptRecord>();
        for (int i = 0; i < size; i++) {
            batch.add(record("req_%s_%06d".formatted(prefix, i), i));
        }
        return batch;
    }

    private static AttemptRecord at(String requestId, Instant at) {
        return new AttemptRecord(requestId, 1, at, InboundFormat.CHAT, "gpt-4o-mini", Optional.of("gpt-4o-mini"),
                Optional.of(new CredentialKey("bench", "key-1")), 200, RecordOutcome.SUCCESS, Optional.empty(),
                Optional.empty(), true, Optional.empty(), Duration.ofMillis(4), TokenUsage.NONE, true);
    }
}
