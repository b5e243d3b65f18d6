package dev.tokenproxy.adapter.out.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two steps of a checkpoint cycle, driven the way the store drives them, against a file that a writer of the
 * test's own fills: the copy runs beside the writer, the truncation waits for the writer's next transaction.
 */
class WalCheckpointerTest {

    private static final Runnable NO_TURNS = () -> { };

    @TempDir
    Path dataDir;

    private Path file;
    private Path wal;
    private Connection writer;
    private WalCheckpointer checkpointer;
    private long pageSize;

    @BeforeEach
    void openAWriterAndACheckpointer() throws SQLException {
        file = dataDir.resolve("store.db");
        wal = dataDir.resolve("store.db-wal");
        writer = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (var statement = writer.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("PRAGMA wal_autocheckpoint=0");
            statement.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
            try (var result = statement.executeQuery("PRAGMA page_size")) {
                pageSize = result.getLong(1);
            }
        }
        checkpointer = new WalCheckpointer(DriverManager.getConnection("jdbc:sqlite:" + file), file);
    }

    @AfterEach
    void close() throws SQLException {
        checkpointer.stop();
        writer.close();
    }

    @Test
    void aCommitThatBeginsACycleReturnsBeforeTheLogIsTruncated() throws Exception {
        long written = commitRows(2_000);

        checkpointer.committed(WalCheckpointer.ROWS_PER_CHECKPOINT, NO_TURNS);
        checkpointer.awaitCopy();

        // The copy is done, and it left the log alone: truncating it is the writer's to wait for, at its next write.
        assertThat(Files.size(wal)).as("the log after the copy").isEqualTo(written);
        assertThat(rowsInTheFileAlone()).as("rows copied into the file").isEqualTo(2_000);
    }

    @Test
    void theWritersNextTransactionFindsTheLogBegunAgainByTheCheckpointer() throws Exception {
        commitRows(2_000);
        checkpointer.committed(WalCheckpointer.ROWS_PER_CHECKPOINT, NO_TURNS);
        checkpointer.awaitCopy();

        checkpointer.beforeWrite(NO_TURNS);

        // The log's header (32 bytes), then one frame, its own header (24) and a page: written by the checkpointer,
        // since SQLite syncs a log's header when a commit begins it again, which must not be on the writer's carrier.
        assertThat(Files.size(wal)).as("the log before the writer's transaction").isEqualTo(32 + 24 + pageSize);
    }

    @Test
    void theWriterGivesWayWhileItWaitsAndAReaderKeepsTheLog() throws Exception {
        long written = commitRows(2_000);
        var turns = new AtomicInteger();

        try (var reader = DriverManager.getConnection("jdbc:sqlite:" + file);
             var statement = reader.createStatement()) {
            // A reader that began before the copy reads the log's pages, so the log cannot begin again under it.
            reader.setAutoCommit(false);
            try (var result = statement.executeQuery("SELECT count(*) FROM rows")) {
                assertThat(result.getLong(1)).isEqualTo(2_000);
            }
            checkpointer.committed(WalCheckpointer.ROWS_PER_CHECKPOINT, NO_TURNS);
            checkpointer.awaitCopy();
            // The truncation waits READER_WAIT_MILLIS for the reader, then leaves the log: the writer's turns meanwhile
            // are what lets requests run while it waits.
            checkpointer.beforeWrite(turns::incrementAndGet);
            reader.rollback();
        }

        assertThat(turns).as("turns given while waiting").hasPositiveValue();
        assertThat(Files.size(wal)).as("the log a reader still looked at").isEqualTo(written);
    }

    @Test
    void aCycleStillCopyingWhenTheNextIsDueIsWaitedForAndTruncated() throws Exception {
        commitRows(2_000);
        checkpointer.committed(WalCheckpointer.ROWS_PER_CHECKPOINT, NO_TURNS);
        commitRows(2_000);

        // No write in between found the copy done: a whole cycle more is the bound on the log's growth.
        checkpointer.committed(WalCheckpointer.ROWS_PER_CHECKPOINT, NO_TURNS);

        assertThat(Files.size(wal)).as("the log after the second cycle's commit").isEqualTo(32 + 24 + pageSize);
        assertThat(rowsInTheFileAlone()).as("rows copied into the file").isEqualTo(4_000);
    }

    @Test
    void aWriteBeforeAnyCycleChangesNothing() throws Exception {
        long written = commitRows(100);
        checkpointer.committed(100, NO_TURNS);

        checkpointer.beforeWrite(NO_TURNS);

        assertThat(Files.size(wal)).as("the log under the thresholds").isEqualTo(written);
    }

    /** Commits {@code count} rows of ~200 bytes in one transaction; returns the log's size after it. */
    private long commitRows(int count) throws Exception {
        writer.setAutoCommit(false);
        try (var insert = writer.prepareStatement("INSERT INTO rows (text) VALUES (?)")) {
            for (int i = 0; i < count; i++) {
                insert.setString(1, "row %d ".formatted(i).repeat(20));
                insert.addBatch();
            }
            insert.executeBatch();
        }
        writer.commit();
        writer.setAutoCommit(true);
        return Files.size(wal);
    }

    /** The rows the database file holds without its log: what a checkpoint copied. */
    private long rowsInTheFileAlone() throws Exception {
        Path copy = dataDir.resolve("file-alone.db");
        Files.copy(file, copy);
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + copy);
             var statement = connection.createStatement();
             var result = statement.executeQuery("SELECT count(*) FROM rows")) {
            return result.getLong(1);
        } finally {
            Files.deleteIfExists(copy);
        }
    }
}
