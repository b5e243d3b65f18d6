package dev.tokenproxy.adapter.in.http.connection;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.util.Set;

/**
 * The listener's only connection selector: Helidon's HTTP/1.1 selector, with every connection it makes passed
 * through the {@link ConnectionGuard}. Being the only one matters: with a single candidate Helidon calls
 * {@link #connection} right after accept(), instead of first waiting for bytes to tell protocols apart, so a
 * connection that never sends anything is counted and timed like any other.
 */
final class GuardedHttp1Selector implements ServerConnectionSelector {

    private final ConnectionGuard guard;
    private final Http1ConnectionSelector http1;

    GuardedHttp1Selector(ConnectionGuard guard, Http1ConnectionSelector http1) {
        this.guard = guard;
        this.http1 = http1;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return http1.bytesToIdentifyConnection();
    }

    @Override
    public Support supports(BufferData data) {
        return http1.supports(data);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        var connection = guard.newConnection();
        var context = new GuardedContext(ctx, connection, guard.turns());
        connection.attach(http1.connection(context), context);
        return guard.admit(connection) ? connection : new RefusedConnection(ctx);
    }
}
