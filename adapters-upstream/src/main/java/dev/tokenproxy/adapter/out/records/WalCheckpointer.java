package dev.tokenproxy.adapter.out.records;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Copies the store's write-ahead log into its file once enough has been committed, on a platform thread and a
 * connection of its own, while the writer waits. SQLite would otherwise do it within a writer's commit every 1,000
 * pages of log, ending with {@code fsync}: the record writer is a virtual thread (ADR 0021), and a native call that
 * waits for the disk holds its carrier, on a one-core gateway every request's. Waiting for a platform thread, the
 * writer leaves its carrier free.
 *
 * <p>The checkpoint truncates the log. Passive checkpoints, once a second beside the writer or after enough commits
 * while it waited, copied the whole log each time but the log never started again from its beginning: it grew to
 * 135 MB in the two seconds of one retention sweep, and to 48 MB in {@code SqliteRecordStoreTest}. A truncating
 * checkpoint waits for readers that still look at the log; its connection waits {@link #READER_WAIT_MILLIS} at most,
 * then leaves the truncation to the next one, so that a long admin query never holds the writer. After truncating, it
 * writes the new log's first frame itself ({@link #beginTheLog}), since SQLite syncs the header of a log begun again.
 */
final class WalCheckpointer {

    private static final System.Logger LOG = System.getLogger(WalCheckpointer.class.getName());
    /** Rows written or deleted between checkpoints: about SQLite's own 1,000 pages (4 MB) of log. */
    static final int ROWS_PER_CHECKPOINT = 32_768;
    /**
     * Commits between checkpoints, for small ones: a quiet gateway commits a few rows at a time, and a retention sweep
     * commits every 128 deleted rows, each rewriting pages of three trees.
     */
    static final int COMMITS_PER_CHECKPOINT = 64;
    /** How long a checkpoint waits for readers of the log before it leaves the truncation to the next one. */
    static final int READER_WAIT_MILLIS = 50;

    private final Connection connection;
    private final Path file;
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("record-checkpointer").daemon(true).factory());
    /** Since the last checkpoint; used under the store's writing lock only. */
    private int rows;
    private int commits;
    private boolean failing;

    /** @param connection a connection of its own to {@code file}, which it owns from now on and closes at stop */
    WalCheckpointer(Connection connection, Path file) throws SQLException {
        this.connection = connection;
        this.file = file;
        try (var statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout=" + READER_WAIT_MILLIS);
            // As the writer's: its first frame of each log is synced anyway (beginTheLog), the commit need not be.
            statement.execute("PRAGMA synchronous=NORMAL");
        }
    }

    /**
     * Called after each commit of {@code changedRows}; copies the log into the file when enough has gathered, and
     * returns when that is done.
     */
    void committed(int changedRows) {
        rows += changedRows;
        commits++;
        if (rows < ROWS_PER_CHECKPOINT && commits < COMMITS_PER_CHECKPOINT) {
            return;
        }
        rows = 0;
        commits = 0;
        try {
            thread.submit(this::checkpoint).get();
            failing = false;
        } catch (ExecutionException e) {
            // Once per spell of failures: a broken disk must not write a line per checkpoint.
            if (!failing) {
                LOG.log(Level.ERROR, "record store " + file + ": cannot copy the write-ahead log into the file, "
                        + "it grows until this succeeds: " + e.getCause().getMessage());
            }
            failing = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Void checkpoint() throws SQLException {
        try (var statement = connection.createStatement()) {
            boolean truncated;
            try (var result = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                // One row: busy (1 when readers kept the log from being truncated), the log's and the copied pages.
                truncated = result.next() && result.getInt(1) == 0;
            }
            if (truncated) {
                beginTheLog(statement);
            }
            return null;
        }
    }

    /**
     * Writes the first frame of the emptied log, so that its header is written and synced here. SQLite syncs a log's
     * header when a commit begins it again after a checkpoint: on the writer's connection that was a native call
     * waiting for the disk on a carrier, ~1 ms after every checkpoint and 39-62 ms when the disk was busy with the
     * checkpoint's own syncs (benchmark.md, nineteenth pass). {@code user_version} is not used by the schema
     * ({@link RecordSchema} keeps its own table); setting it rewrites the file's first page, the smallest write there
     * is.
     */
    private static void beginTheLog(Statement statement) throws SQLException {
        statement.execute("PRAGMA user_version=0");
    }

    /** Stops the thread and closes the connection; the writer's own close then copies the rest. */
    void stop() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Stopping: nothing is left to do with an error, and the writer's close checkpoints anyway.
        }
    }
}
