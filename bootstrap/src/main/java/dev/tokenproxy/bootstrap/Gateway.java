package dev.tokenproxy.bootstrap;

import com.google.inject.Guice;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.bootstrap.wiring.TokenProxyModules;
import io.helidon.webserver.WebServer;
import java.time.Clock;

/** A running gateway: the wired object graph and its started web server. */
public final class Gateway implements AutoCloseable {

    private final WebServer server;
    private final UpstreamHttpClient upstreams;
    private final GatewayConfig config;

    private Gateway(WebServer server, UpstreamHttpClient upstreams, GatewayConfig config) {
        this.server = server;
        this.upstreams = upstreams;
        this.config = config;
    }

    public static Gateway start(GatewayConfig config) {
        var injector = Guice.createInjector(TokenProxyModules.all(config, Clock.systemUTC()));
        return new Gateway(injector.getInstance(WebServer.class).start(),
                injector.getInstance(UpstreamHttpClient.class), config);
    }

    public int port() {
        return server.port();
    }

    /** The address clients use, with the port actually bound (the configured one may be 0). */
    public String baseUrl() {
        return "http://" + config.host() + ":" + port();
    }

    /** Stops accepting connections and waits for in-flight requests up to the configured grace period. */
    @Override
    public void close() {
        server.stop();
        upstreams.close();
    }
}
