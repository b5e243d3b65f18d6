package dev.tokenproxy.adapter.out.upstream.http;

import io.helidon.webclient.api.ClientConnection;

/**
 * A keep-alive connection and the exchange currently using it. The owner's {@link Watch} decides whether the
 * connection may go back to the pool when Helidon releases it.
 */
final class PooledConnection {

    private volatile ClientConnection connection;
    private volatile Watch owner;

    void attach(ClientConnection newConnection) {
        this.connection = newConnection;
    }

    ClientConnection connection() {
        return connection;
    }

    /** Hands the connection to an exchange: from now on that exchange's watchdog may close it. */
    void lease(Watch watch) {
        owner = watch;
        watch.onAbort(this::close);
    }

    /** Helidon releases the connection after a fully read response: reusable only if no abort got there first. */
    boolean mayReturnToPool() {
        Watch current = owner;
        return current != null && current.end(WatchEnd.RELEASED) && connection.isConnected();
    }

    void close() {
        connection.closeResource();
    }
}
