package dev.tokenproxy.adapter.out.upstream.http;

import java.util.function.Predicate;

/**
 * A keep-alive connection and the exchange currently using it. The owner's {@link Watch} decides whether the
 * connection may go back to the pool when its response has been read to the end.
 */
final class PooledConnection {

    private final ChannelConnection connection;
    /** Takes the connection back into the pool; false when the pool is full. */
    private final Predicate<PooledConnection> home;
    private volatile Watch owner;
    private volatile boolean reused;
    private volatile long idleSinceNanos;

    PooledConnection(ChannelConnection connection, Predicate<PooledConnection> home) {
        this.connection = connection;
        this.home = home;
    }

    ChannelConnection connection() {
        return connection;
    }

    /** Hands the connection to an exchange: from now on that exchange's watchdog may close it. */
    void lease(Watch watch, boolean fromPool) {
        owner = watch;
        reused = fromPool;
        watch.onAbort(this::close);
    }

    /** Whether the connection served an earlier exchange: a failure before any response may be its staleness. */
    boolean wasReused() {
        return reused;
    }

    /**
     * The exchange read its response to the end. The connection goes back to the pool only if the response was framed
     * so that its end is certain, nothing arrived past that end, and no abort got there first; else it is closed.
     */
    void release() {
        Watch current = owner;
        boolean reusable = current.reusable() && connection.input().buffered() == 0;
        if (!reusable) {
            current.end(WatchEnd.CLOSED);
        } else if (current.end(WatchEnd.RELEASED) && !(connection.isConnected() && home.test(this))) {
            close();
        }
    }

    void idleSince(long nanos) {
        idleSinceNanos = nanos;
    }

    long idleSince() {
        return idleSinceNanos;
    }

    void close() {
        connection.close();
    }
}
