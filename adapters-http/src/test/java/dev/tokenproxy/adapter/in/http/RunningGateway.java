package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenproxy.adapter.in.http.connection.ConnectionGuard;
import dev.tokenproxy.adapter.in.http.connection.ConnectionLimits;
import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.port.in.ListModelsUseCase;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The real inbound adapter on a real Helidon server (loopback, free port), with a scripted use case behind it,
 * and a JDK client to call it. Its connections are guarded as in production ({@link ConnectionGuard}).
 */
final class RunningGateway implements AutoCloseable {

    static final long DEFAULT_LIMIT = 1024;
    /** The production defaults of the {@code limits} section, with a connection count any test stays under. */
    static final ConnectionLimits DEFAULT_CONNECTION_LIMITS = new ConnectionLimits(1000, Duration.ofSeconds(20),
            Duration.ofSeconds(60), Duration.ofSeconds(60));
    private static final ObjectMapper JSON = new ObjectMapper();

    final ScriptedForwardUseCase forward = new ScriptedForwardUseCase();
    final ConnectionGuard guard;
    private final WebServer server;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private RunningGateway(List<LocalApiKey> keys, ListModelsUseCase models, long maxBody,
                           ConnectionLimits connectionLimits, Clock clock) {
        this(keys, models, maxBody, connectionLimits, clock, InFlightBytes.unlimited());
    }

    private RunningGateway(List<LocalApiKey> keys, ListModelsUseCase models, long maxBody,
                           ConnectionLimits connectionLimits, Clock clock, InFlightBytes inFlight) {
        var localKeys = new LocalApiKeys(keys);
        guard = new ConnectionGuard(connectionLimits, clock);
        var builder = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .connectionOptions(s -> s.tcpNoDelay(true))
                .routing(r -> GatewayRouting.routing(r, forward, models, localKeys, maxBody, inFlight))
                .directHandlers(GatewayRouting.directHandlers());
        guard.configure(builder);
        guard.start();
        server = builder.build().start();
    }

    private RunningGateway(List<LocalApiKey> keys, ListModelsUseCase models, long maxBody) {
        this(keys, models, maxBody, DEFAULT_CONNECTION_LIMITS, Clock.systemUTC());
    }

    /** No local keys configured: every client is admitted. */
    static RunningGateway open() {
        return new RunningGateway(List.of(), List::of, DEFAULT_LIMIT);
    }

    static RunningGateway withKeys(LocalApiKey... keys) {
        return new RunningGateway(Arrays.asList(keys), List::of, DEFAULT_LIMIT);
    }

    static RunningGateway withModels(ListModelsUseCase models, LocalApiKey... keys) {
        return new RunningGateway(Arrays.asList(keys), models, DEFAULT_LIMIT);
    }

    static RunningGateway withBodyLimit(long maxBody) {
        return new RunningGateway(List.of(), List::of, maxBody);
    }

    /** No local keys, and {@code inFlight} as the budget of body bytes in memory. */
    static RunningGateway withInFlightBudget(InFlightBytes inFlight) {
        return new RunningGateway(List.of(), List::of, DEFAULT_LIMIT, DEFAULT_CONNECTION_LIMITS, Clock.systemUTC(),
                inFlight);
    }

    /** No local keys, and the connection limits (measured with {@code clock}) a test needs. */
    static RunningGateway withConnectionLimits(ConnectionLimits limits, Clock clock) {
        return new RunningGateway(List.of(), List::of, DEFAULT_LIMIT, limits, clock);
    }

    int port() {
        return server.port();
    }

    static LocalApiKey key(String name, String value, String... upstreams) {
        return new LocalApiKey(name, new Secret(value), upstreams.length == 0 ? Set.of("*") : Set.of(upstreams));
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpClient client() {
        return client;
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
    }

    HttpRequest.Builder chat(String json) {
        return request("/v1/chat/completions")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @Override
    public void close() {
        server.stop();
        guard.close();
    }
}
