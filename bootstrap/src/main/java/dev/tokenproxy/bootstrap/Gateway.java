package dev.tokenproxy.bootstrap;

import com.google.inject.Guice;
import dev.tokenproxy.adapter.in.http.connection.ConnectionGuard;
import dev.tokenproxy.adapter.in.http.connection.ListenerStart;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.bootstrap.wiring.TokenProxyModules;
import io.helidon.webserver.WebServer;
import java.time.Clock;

/** A running gateway: the wired object graph and its started web server. */
public final class Gateway implements AutoCloseable {

    private final WebServer server;
    private final ConnectionGuard guard;
    private final UpstreamHttpClient upstreams;
    private final InFlightRequests requests;
    private final GatewayConfig config;

    private Gateway(WebServer server, ConnectionGuard guard, UpstreamHttpClient upstreams, InFlightRequests requests,
                    GatewayConfig config) {
        this.server = server;
        this.guard = guard;
        this.upstreams = upstreams;
        this.requests = requests;
        this.config = config;
    }

    /**
     * Wires the gateway and starts listening.
     *
     * @throws CannotListenException when the socket cannot be bound (port taken, address not on this host)
     */
    public static Gateway start(GatewayConfig config) {
        var injector = Guice.createInjector(TokenProxyModules.all(config, Clock.systemUTC()));
        var guard = injector.getInstance(ConnectionGuard.class);
        var server = injector.getInstance(WebServer.class);
        var upstreams = injector.getInstance(UpstreamHttpClient.class);
        // The reaper runs before the first connection can arrive, so that none is ever unwatched.
        guard.start();
        try {
            ListenerStart.start(server);
        } catch (ListenerStart.CannotListenException e) {
            guard.close();
            upstreams.close();
            throw new CannotListenException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        return new Gateway(server, guard, upstreams, injector.getInstance(InFlightRequests.class), config);
    }

    public int port() {
        return server.port();
    }

    /** The address clients use, with the port actually bound (the configured one may be 0). */
    public String baseUrl() {
        return "http://" + config.host() + ":" + port();
    }

    /**
     * Stops accepting connections and waits for in-flight requests up to the configured grace period.
     *
     * @return how many requests were cut: still in flight when the grace period ended
     */
    public int stop() {
        requests.graceStarts(config.shutdownGrace());
        server.stop();
        guard.close();
        upstreams.close();
        return requests.cut();
    }

    @Override
    public void close() {
        stop();
    }

    /** The gateway could not bind its listening socket; the message names the address and the cause. */
    public static final class CannotListenException extends RuntimeException {
        CannotListenException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
