package dev.tokenproxy.adapter.out.records;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A connection to the store used only by a platform thread of its own, one piece of work at a time. SQLite's calls are
 * native: run by a virtual thread, each holds its carrier until it returns, however long it reads or waits for the
 * disk. Work submitted here holds no carrier, and the kernel shares the core between it and the requests.
 */
final class ConnectionThread implements AutoCloseable {

    private final Connection connection;
    private final ExecutorService thread;

    /** @param connection a connection of its own to the store, which it owns from now on and closes at close */
    ConnectionThread(String name, Connection connection) {
        this.connection = connection;
        this.thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(name).daemon(true).factory());
    }

    /** What the thread does with the connection. */
    @FunctionalInterface
    interface Work<T> {
        T on(Connection connection) throws SQLException;
    }

    /**
     * Queues {@code work} for the thread.
     *
     * @throws java.util.concurrent.RejectedExecutionException once closed
     */
    <T> Future<T> submit(Work<T> work) {
        return thread.submit(() -> work.on(connection));
    }

    /**
     * Asks SQLite to stop the statement the thread runs now, if any: it fails with {@code SQLITE_INTERRUPT}. One that
     * begins while the call is under way may be stopped too (SQLite's own rule), so callers do it only for work they
     * have given up on.
     */
    void interrupt() {
        try {
            connection.unwrap(org.sqlite.SQLiteConnection.class).getDatabase().interrupt();
        } catch (SQLException ignored) {
            // The connection is closed: nothing runs on it.
        }
    }

    /**
     * Lets the work under way end (10 s at most, then its statement is interrupted), then closes the connection; later
     * work is refused.
     */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                // Closing a connection whose statement still runs would wait for it.
                interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Stopping: nothing is left to do with an error.
        }
    }
}
