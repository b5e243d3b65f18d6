package dev.tokenproxy.adapter.out.records;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies the store's write-ahead log into its file, on a platform thread and a connection of its own, once a second
 * when something was committed. SQLite would otherwise do it within a writer's commit every 1,000 pages of log, and
 * end it with fsync: the record writer is a virtual thread (ADR 0021), and a native call that waits for the disk holds
 * its carrier, on a one-core gateway every request's. A passive checkpoint never waits for the writer or a reader;
 * what a reader still looks at is copied the next time.
 */
final class WalCheckpointer {

    private static final System.Logger LOG = System.getLogger(WalCheckpointer.class.getName());
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Connection connection;
    private final Path file;
    private final AtomicLong commits = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;
    /** {@link #commits} at the last checkpoint. Used by the checkpointer's thread only. */
    private long copied;
    private boolean failing;

    private WalCheckpointer(Connection connection, Path file) {
        this.connection = connection;
        this.file = file;
        this.thread = Thread.ofPlatform().name("record-checkpointer").daemon(true).unstarted(this::run);
    }

    /** Starts checkpointing {@code file} through {@code connection}, which it owns from now on and closes at stop. */
    static WalCheckpointer start(Connection connection, Path file) {
        var checkpointer = new WalCheckpointer(connection, file);
        checkpointer.thread.start();
        return checkpointer;
    }

    /** Called after each commit: there is log to copy. */
    void committed() {
        commits.incrementAndGet();
    }

    /** Stops the thread and closes the connection; the writer's own close then copies the rest. */
    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Stopping: nothing is left to do with an error, and the writer's close checkpoints anyway.
        }
    }

    private void run() {
        while (!stopped) {
            LockSupport.parkNanos(this, INTERVAL.toNanos());
            long seen = commits.get();
            if (stopped || seen == copied) {
                continue;
            }
            try (var statement = connection.createStatement();
                 var result = statement.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                copied = seen;
                failing = false;
            } catch (SQLException e) {
                // Once per spell of failures: a broken disk must not write a line every second.
                if (!failing) {
                    LOG.log(Level.ERROR, "record store " + file + ": cannot copy the write-ahead log into the file, "
                            + "it grows until this succeeds: " + e.getMessage());
                }
                failing = true;
            }
        }
    }
}
