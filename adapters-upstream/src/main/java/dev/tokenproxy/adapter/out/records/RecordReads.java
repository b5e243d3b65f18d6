package dev.tokenproxy.adapter.out.records;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    /**
     * The longest a read may run before it is stopped and its caller told to narrow it. Reads wait for each other: a
     * listing with a filter that few records match walks the whole table (0.2 s at a million records, minutes at a
     * few hundred million), and every admin request behind it would wait as long.
     */
    static final Duration LONGEST_READ = Duration.ofSeconds(10);

    private final ConnectionThread thread;
    private final Duration longest;

    /** @param connection a connection of its own to the store, which it owns from now on and closes at close */
    RecordReads(Connection connection) {
        this(connection, LONGEST_READ);
    }

    /** @param longest how long a read may run (tests use a short one) */
    RecordReads(Connection connection, Duration longest) {
        this.thread = new ConnectionThread("record-reader", connection);
        this.longest = longest;
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
            return result.get(longest.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new SQLException("a read ran longer than " + longest.toSeconds() + " s and was stopped; narrow it "
                    + "(from, to, or a filter)");
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
