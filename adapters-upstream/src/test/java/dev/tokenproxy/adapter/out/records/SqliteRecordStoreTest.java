package dev.tokenproxy.adapter.out.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.RecordOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.nio.file.Path;
import java.sql.DriverManager;
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
            store.saveAll(batch);

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
            store.saveAll(batch);

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
            try (var other = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteRecordStore.FILE_NAME))) {
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
}
