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

    /** Lets the work under way end (10 s at most), then closes the connection; later work is refused. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
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
