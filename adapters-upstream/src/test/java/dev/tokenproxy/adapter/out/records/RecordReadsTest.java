package dev.tokenproxy.adapter.out.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RecordReadsTest {

    private static Connection memory() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite::memory:");
    }

    @Test
    void aReadAskedForOnAVirtualThreadRunsOnThePlatformThreadOfTheReads() throws Exception {
        // A native call run by a virtual thread holds its carrier: the read must not run on the thread that asks.
        try (var reads = new RecordReads(memory());
             var virtualThreads = Executors.newVirtualThreadPerTaskExecutor()) {
            Thread asking = virtualThreads.submit(Thread::currentThread).get();
            Thread ran = virtualThreads.submit(() -> reads.run(connection -> Thread.currentThread())).get();

            assertThat(asking.isVirtual()).isTrue();
            assertThat(ran.isVirtual()).isFalse();
            assertThat(ran.getName()).isEqualTo("record-reader");
        }
    }

    @Test
    void aReadGetsItsResultFromTheConnectionGiven() throws Exception {
        try (var reads = new RecordReads(memory())) {
            int answer = reads.run(connection -> {
                try (var rows = connection.createStatement().executeQuery("SELECT 6 * 7")) {
                    rows.next();
                    return rows.getInt(1);
                }
            });

            assertThat(answer).isEqualTo(42);
        }
    }

    @Test
    void aFailingReadThrowsSqlitesOwnErrorToTheCaller() throws Exception {
        try (var reads = new RecordReads(memory())) {
            assertThatThrownBy(() -> reads.run(connection -> connection.createStatement().executeQuery(
                    "SELECT * FROM no_such_table")))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("no such table");
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a read never stopped would never end
    void aReadLongerThanAllowedIsStoppedAndTheReadsBehindItRun() throws Exception {
        try (var reads = new RecordReads(memory(), Duration.ofMillis(200))) {
            // Counts for ever: only SQLite's interrupt ends it.
            assertThatThrownBy(() -> reads.run(connection -> {
                try (var rows = connection.createStatement().executeQuery(
                        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n")) {
                    return rows.next();
                }
            })).isInstanceOf(SQLException.class).hasMessageContaining("longer than").hasMessageContaining("narrow it");

            int answer = reads.run(connection -> {
                try (var rows = connection.createStatement().executeQuery("SELECT 6 * 7")) {
                    rows.next();
                    return rows.getInt(1);
                }
            });
            assertThat(answer).as("the reader's thread is free again").isEqualTo(42);
        }
    }

    @Test
    void closingLetsTheReadUnderWayEndAndThenRefusesReads() throws Exception {
        var connection = memory();
        var reads = new RecordReads(connection);
        var started = new CompletableFuture<Void>();
        var release = new CompletableFuture<Void>();
        var underWay = CompletableFuture.supplyAsync(() -> {
            try {
                return reads.run(c -> {
                    started.complete(null);
                    release.join();
                    return c.isClosed();
                });
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        started.join();
        var closing = CompletableFuture.runAsync(reads::close);
        release.complete(null);
        closing.join();

        assertThat(underWay.join()).as("the connection was still open for the read under way").isFalse();
        assertThat(connection.isClosed()).isTrue();
        assertThatThrownBy(() -> reads.run(c -> 1)).isInstanceOf(SQLException.class).hasMessageContaining("closed");
    }
}
