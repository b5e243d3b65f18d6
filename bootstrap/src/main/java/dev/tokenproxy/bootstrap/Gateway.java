package dev.tokenproxy.bootstrap;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import dev.tokenproxy.adapter.out.records.SqliteRecordStore;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.service.RecordQueue;
import dev.tokenproxy.bootstrap.provider.ProviderLoadingException;
import java.util.Map;
import java.util.Optional;
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
    private final Optional<RecordQueue> records;
    private final Optional<SqliteRecordStore> recordStore;

    private Gateway(WebServer server, ConnectionGuard guard, UpstreamHttpClient upstreams, InFlightRequests requests,
                    GatewayConfig config, Optional<RecordQueue> records, Optional<SqliteRecordStore> recordStore) {
        this.records = records;
        this.recordStore = recordStore;
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
        try {
            // Every provider's port is built now, so that a plug-in whose factory fails stops the start, named.
            injector.getInstance(new Key<Map<String, SendAttemptPort>>() { });
        } catch (ProvisionException e) {
            if (e.getCause() instanceof ProviderLoadingException unusable) {
                throw new ProviderUnusableException(unusable.getMessage(), unusable);
            }
            throw e;
        }
        Optional<SqliteRecordStore> recordStore;
        try {
            // Opened before listening: a store that cannot be opened stops the start, rather than losing records.
            recordStore = injector.getInstance(new Key<Optional<SqliteRecordStore>>() { });
        } catch (ProvisionException e) {
            if (e.getCause() instanceof SqliteRecordStore.StoreUnavailableException unavailable) {
                throw new CannotStartException(unavailable.getMessage(), unavailable);
            }
            throw e;
        }
        var records = injector.getInstance(new Key<Optional<RecordQueue>>() { });
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
            records.ifPresent(RecordQueue::close);
            recordStore.ifPresent(SqliteRecordStore::close);
            throw new CannotListenException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        return new Gateway(server, guard, upstreams, injector.getInstance(InFlightRequests.class), config, records,
                recordStore);
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
        // After the drain, so that the records of the last requests are written before the process exits.
        records.ifPresent(RecordQueue::close);
        recordStore.ifPresent(SqliteRecordStore::close);
        return requests.cut();
    }

    @Override
    public void close() {
        stop();
    }

    /** The gateway cannot start; the message is one line saying why. */
    public static class CannotStartException extends RuntimeException {
        CannotStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A provider could not be built: its plug-in's factory failed; the message names the provider and its jar. */
    public static final class ProviderUnusableException extends CannotStartException {
        ProviderUnusableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The gateway could not bind its listening socket; the message names the address and the cause. */
    public static final class CannotListenException extends CannotStartException {
        CannotListenException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
