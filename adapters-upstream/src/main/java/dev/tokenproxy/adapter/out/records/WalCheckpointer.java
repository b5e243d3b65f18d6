package dev.tokenproxy.adapter.out.records;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Copies the store's write-ahead log into its file once enough has been committed, on a platform thread and a
 * connection of its own. SQLite would otherwise do it within a writer's commit every 1,000 pages of log, ending with
 * {@code fsync}: the record writer is a virtual thread (ADR 0021), and a native call that waits for the disk holds its
 * carrier, on a one-core gateway every request's.
 *
 * <p>Each cycle has two steps. The copy ({@code PASSIVE}: two syncs and the copy of every page, most of the work) runs
 * beside the writer, which goes on committing. Then, before the writer's next transaction, the log is truncated while
 * the writer waits, so that it starts again from its beginning; that checkpoint has only the pages committed meanwhile
 * to copy. The writer waited for whole checkpoints before, and records gathered meanwhile: 50-58 ms at the median, up
 * to 250 ms, now 3-7 ms, up to 18 ms (benchmark.md, twentieth pass). Passive checkpoints alone never started the log
 * again: it grew to 135 MB in the two seconds of one retention sweep.
 *
 * <p>A truncating checkpoint waits for readers that still look at the log; its connection waits
 * {@link #READER_WAIT_MILLIS} at most, then leaves the truncation to the next cycle, so that a long admin query never
 * holds the writer. After truncating, it writes the new log's first frame itself ({@link #beginTheLog}), since SQLite
 * syncs the header of a log begun again, and the writer's first commit would otherwise do that on its carrier.
 */
final class WalCheckpointer {

    private static final System.Logger LOG = System.getLogger(WalCheckpointer.class.getName());
    /** Rows written or deleted between the starts of two cycles: about SQLite's own 1,000 pages (4 MB) of log. */
    static final int ROWS_PER_CHECKPOINT = 32_768;
    /**
     * Commits between the starts of two cycles, for small ones: a quiet gateway commits a few rows at a time, and a
     * retention sweep commits every 128 deleted rows, each rewriting pages of three trees.
     */
    static final int COMMITS_PER_CHECKPOINT = 64;
    /** Turns the writer gives way for while it waits for the checkpointer: each until a request ends, 1 ms at most. */
    static final int TURNS_BEFORE_BLOCKING = 1_000;
    /** How long a truncation waits for readers of the log before it leaves the log to the next cycle. */
    static final int READER_WAIT_MILLIS = 50;

    private final Path file;
    private final ConnectionThread thread;
    /** Since the last copy began; these and {@link #copying} are used under the store's writing lock only. */
    private int rows;
    private int commits;
    /** The copy beside the writer, until the log has been truncated after it; null between cycles. */
    private Future<?> copying;
    private boolean failing;

    /** @param connection a connection of its own to {@code file}, which it owns from now on and closes at stop */
    WalCheckpointer(Connection connection, Path file) throws SQLException {
        this.file = file;
        try (var statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout=" + READER_WAIT_MILLIS);
            // As the writer's: its first frame of each log is synced anyway (beginTheLog), the commit need not be.
            statement.execute("PRAGMA synchronous=NORMAL");
        }
        this.thread = new ConnectionThread("record-checkpointer", connection);
    }

    /**
     * Called before each of the writer's transactions: when the copy beside the writer is done, truncates the log now,
     * before a commit can begin it again itself (and sync its header on the writer's carrier). Returns when done.
     */
    void beforeWrite(Runnable giveWay) {
        if (copying != null && copying.isDone()) {
            truncate(giveWay);
        }
    }

    /**
     * Called after each commit of {@code changedRows}; begins a copy when enough has gathered since the last one.
     *
     * @param giveWay what the writer does while it waits, as between the runs of a write
     */
    void committed(int changedRows, Runnable giveWay) {
        rows += changedRows;
        commits++;
        if (rows < ROWS_PER_CHECKPOINT && commits < COMMITS_PER_CHECKPOINT) {
            return;
        }
        rows = 0;
        commits = 0;
        if (copying == null) {
            copying = thread.submit(WalCheckpointer::copy);
        } else {
            // A whole cycle's worth more while the copy still runs (a disk slower than the writer): the log's growth
            // is bounded by waiting for it here.
            truncate(giveWay);
        }
    }

    /** Waits for the copy under way, if any, without truncating: for tests, which cannot tell when it ends. */
    void awaitCopy() throws ExecutionException, InterruptedException {
        if (copying != null) {
            copying.get();
        }
    }

    /** Waits for the copy under way, then truncates the log on the checkpointer's thread. */
    private void truncate(Runnable giveWay) {
        Future<?> copy = copying;
        copying = null;
        if (awaited(copy, giveWay)) {
            awaited(thread.submit(WalCheckpointer::truncateAndBegin), giveWay);
        }
    }

    /**
     * Waits for {@code work} by giving way until it is done: a request that ends wakes the writer from within its
     * carrier. Blocked on the future, the writer would be woken by the checkpointer's platform thread, from outside the
     * carriers, and the JDK's scheduler takes such threads only once its carrier's own queue runs dry (see
     * RecordQueue). After {@link #TURNS_BEFORE_BLOCKING} turns (a closing queue gives none), it blocks.
     *
     * @return whether the work succeeded; a failure is logged once per spell of failures
     */
    private boolean awaited(Future<?> work, Runnable giveWay) {
        for (int turns = 0; turns < TURNS_BEFORE_BLOCKING && !work.isDone(); turns++) {
            giveWay.run();
        }
        try {
            work.get();
            failing = false;
            return true;
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
        return false;
    }

    private static Void copy(Connection connection) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute("PRAGMA wal_checkpoint(PASSIVE)");
            return null;
        }
    }

    private static Void truncateAndBegin(Connection connection) throws SQLException {
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
        thread.close();
    }
}
