package dev.tokenproxy.adapter.out.upstream.http;

/**
 * A keep-alive connection and the exchange currently using it. The owner's {@link Watch} decides whether the
 * connection may go back to the pool when Helidon releases it.
 */
final class PooledConnection {

    private volatile ChannelConnection connection;
    private volatile Watch owner;
    private volatile boolean reused;
    private volatile long idleSinceNanos;

    void attach(ChannelConnection newConnection) {
        this.connection = newConnection;
    }

    ChannelConnection connection() {
        return connection;
    }

    /** Hands the connection to an exchange: from now on that exchange's watchdog may close it. */
    void lease(Watch watch, boolean fromPool) {
        owner = watch;
        reused = fromPool;
        watch.onAbort(this::close);
        if (connection.isConnected()) {
            connection.expectResponse();
        }
    }

    /** Whether the connection served an earlier exchange: a failure before any response may be its staleness. */
    boolean wasReused() {
        return reused;
    }

    /**
     * Helidon releases the connection after a fully read response. It goes back to the pool only if the response
     * was framed so that its end is certain, nothing was read past that end, and no abort got there first.
     */
    boolean mayReturnToPool() {
        Watch current = owner;
        return current != null && current.reusable() && !connection.hasUnreadBytes()
                && current.end(WatchEnd.RELEASED) && connection.isConnected();
    }

    void idleSince(long nanos) {
        idleSinceNanos = nanos;
    }

    long idleSince() {
        return idleSinceNanos;
    }

    void close() {
        connection.closeResource();
    }
}
