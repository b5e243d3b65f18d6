package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tokenproxy.adapter.in.http.GatewayRouting;
import dev.tokenproxy.adapter.in.http.LocalApiKeys;
import dev.tokenproxy.adapter.in.http.connection.ConnectionGuard;
import dev.tokenproxy.adapter.in.http.connection.ConnectionLimits;
import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.CredentialStatusUseCase;
import dev.tokenproxy.application.port.in.ListModelsUseCase;
import dev.tokenproxy.application.port.in.RecordRefusalUseCase;
import dev.tokenproxy.application.port.in.RequestRecordsUseCase;
import dev.tokenproxy.application.port.out.CarrierTurns;
import dev.tokenproxy.bootstrap.InFlightRequests;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import io.helidon.webserver.WebServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Optional;

/** The inbound Helidon web server (built here, started by {@code Gateway}) and the guard of its connections. */
final class HttpModule extends AbstractModule {

    @Provides
    @Singleton
    ConnectionGuard connectionGuard(GatewayConfig config, Clock clock, CarrierTurns turns) {
        var limits = config.limits();
        return new ConnectionGuard(new ConnectionLimits(limits.maxConnections(), limits.headerTimeout(),
                limits.bodyTimeout(), limits.idleConnection()), clock, turns);
    }

    @Provides
    @Singleton
    InFlightRequests inFlightRequests(Clock clock) {
        return new InFlightRequests(clock);
    }

    @Provides
    @Singleton
    WebServer webServer(GatewayConfig config, ForwardRequestUseCase forward, ListModelsUseCase models,
                        ConnectionGuard guard, InFlightBytes inFlight, InFlightRequests requests,
                        RequestRecordsUseCase records, CredentialStatusUseCase credentials,
                        RecordRefusalUseCase refusals, Optional<PrometheusMeterRegistry> metrics) {
        var operator = new GatewayRouting.OperatorUseCases(records, credentials, refusals);
        var localKeys = new LocalApiKeys(config.localApiKeys());
        var server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                // Without TCP_NODELAY small SSE chunks wait for Nagle's algorithm before they leave.
                .connectionOptions(socket -> socket.tcpNoDelay(true))
                .shutdownGracePeriod(config.shutdownGrace())
                // We drain on SIGTERM ourselves (see Main), so that the exit code tells whether requests were cut.
                .shutdownHook(false)
                .routing(routing -> GatewayRouting.routing(routing.addFilter(requests), forward, models, localKeys,
                        config.maxRequestBodyBytes(), inFlight, config.clientRetryWaitMax(),
                        Optional.of(operator), metrics))
                // Requests refused before routing (HTTP/1.0, broken headers) get the OpenAI error shape too.
                .directHandlers(GatewayRouting.directHandlers());
        guard.configure(server);
        return server.build();
    }
}
