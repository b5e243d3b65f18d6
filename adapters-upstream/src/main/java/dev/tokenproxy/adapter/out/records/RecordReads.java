package dev.tokenproxy.adapter.out.records;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs the store's reads (the admin API's) one at a time on a platform thread and a connection of their own. Run by
 * the admin request's virtual thread, a read is one native call that holds its carrier until SQLite is done: a usage
 * report scans the whole table, which at ~650k records held one of two carriers for most of every second under an
 * admin loop, and the record writer, left to share the other with the requests, fell behind and dropped 16k-49k
 * requests' records in 20 s (benchmark.md, twenty-first pass). A gateway pinned to one core has one carrier, and every
 * request would wait for the scan. On a thread of its own ({@link ConnectionThread}), a read is the kernel's to share
 * out like any other.
 */
final class RecordReads implements AutoCloseable {

    private final ConnectionThread thread;

    /** @param connection a connection of its own to the store, which it owns from now on and closes at close */
    RecordReads(Connection connection) {
        this.thread = new ConnectionThread("record-reader", connection);
    }

    /** Runs {@code read} on the reader's thread and waits for its result. */
    <T> T run(ConnectionThread.Work<T> read) throws SQLException {
        Future<T> result;
        try {
            result = thread.submit(read);
        } catch (RejectedExecutionException closed) {
            throw new SQLException("the record store is closed");
        }
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException failure) {
                throw failure;
            }
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new SQLException(e.getCause());
        } catch (InterruptedException e) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a read of the record store");
        }
    }

    /** Lets the read under way end, then closes the connection; reads asked for afterwards are refused. */
    @Override
    public void close() {
        thread.close();
    }
}
