package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.adapter.in.http.connection.ConnectionLimits;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.in.ForwardResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code limits.max_connections} on a real server: a client opening connection after connection (and never using
 * them) takes idle slots from itself, not from the requests in progress or from the next client.
 */
class ConnectionFloodTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String STREAM_CHAT = "{\"model\":\"gpt-4.1\",\"stream\":true,\"messages\":[]}";
    private static final String CHAT = "{\"model\":\"gpt-4.1\",\"messages\":[]}";

    private final List<BareConnection> connections = new ArrayList<>();
    private final ExecutorService reader = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void closeConnections() {
        connections.forEach(BareConnection::close);
        reader.shutdownNow();
    }

    private static ConnectionLimits atMost(int connections) {
        return new ConnectionLimits(connections, Duration.ofSeconds(20), Duration.ofSeconds(60),
                Duration.ofSeconds(60));
    }

    private BareConnection connect(RunningGateway gateway) {
        var connection = BareConnection.open(gateway.port());
        connections.add(connection);
        return connection;
    }

    private String nextLine(BufferedReader lines) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return lines.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, reader).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Waits for something the server does on its own threads; there is no event to wait on from outside. */
    private static boolean eventually(BooleanSupplier condition) {
        long giveUp = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > giveUp) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }

    private long stillOpen(List<BareConnection> flood) {
        return flood.stream().filter(BareConnection::isOpen).count();
    }

    @Test
    void healthAnswersAndAStreamInFlightCompletesWhileIdleConnectionsFloodTheLimit() throws Exception {
        int limit = 50;
        var stream = new ControlledReplyStream();
        try (var gateway = RunningGateway.withConnectionLimits(atMost(limit), Clock.systemUTC())) {
            gateway.forward.answer(new ForwardResult.Delivered(new UpstreamReply.Streaming(200,
                    Map.of("content-type", "text/event-stream"), stream)));
            stream.release("data: {\"n\":0}\n\n");
            HttpResponse<java.io.InputStream> response = gateway.client().sendAsync(gateway.chat(STREAM_CHAT).build(),
                    HttpResponse.BodyHandlers.ofInputStream()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            assertThat(nextLine(lines)).isEqualTo("data: {\"n\":0}");
            assertThat(nextLine(lines)).isEmpty();

            // Ten times the limit, in waves; between waves a new client asks for /health and the stream moves on.
            var flood = new ArrayList<BareConnection>();
            for (int wave = 1; wave <= 10; wave++) {
                for (int i = 0; i < limit; i++) {
                    flood.add(connect(gateway));
                }
                assertThat(BareConnection.health(gateway.port())).as("wave " + wave)
                        .startsWith("HTTP/1.1 200").endsWith("{\"status\":\"ok\"}");
                stream.release("data: {\"n\":" + wave + "}\n\n");
                assertThat(nextLine(lines)).isEqualTo("data: {\"n\":" + wave + "}");
                assertThat(nextLine(lines)).isEmpty();
            }
            assertThat(eventually(() -> stillOpen(flood) < limit))
                    .as("the stream holds one slot, the flood at most the rest").isTrue();
            assertThat(gateway.guard.openConnections()).isLessThanOrEqualTo(limit);

            stream.release("data: [DONE]\n\n");
            stream.end();
            assertThat(nextLine(lines)).isEqualTo("data: [DONE]");
            assertThat(nextLine(lines)).isEmpty();
            assertThat(nextLine(lines)).as("end of the response").isNull();

            flood.forEach(BareConnection::close);
            assertThat(BareConnection.health(gateway.port())).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aConnectionThatNeverSendsAByteIsCountedAtOnceAndGivesWayToTheNextOne() {
        try (var gateway = RunningGateway.withConnectionLimits(atMost(2), Clock.systemUTC())) {
            var first = connect(gateway);
            // Counted before any byte: Helidon hands the connection over right after accept(). Waiting for each
            // one in turn makes "first" the longest idle: Helidon admits accepted connections on their own
            // threads, so two connections opened back to back may be admitted in either order.
            assertThat(eventually(() -> gateway.guard.openConnections() == 1)).isTrue();
            var second = connect(gateway);
            assertThat(eventually(() -> gateway.guard.openConnections() == 2)).isTrue();

            var third = connect(gateway);

            assertThat(first.awaitClosedByServer(WAIT)).as("the longest idle gives way").isTrue();
            assertThat(first.received()).isEmpty();
            assertThat(second.isOpen()).isTrue();
            assertThat(third.isOpen()).isTrue();
        }
    }

    @Test
    void aConnectionOverTheLimitGets503AtOnceWhenEveryConnectionIsHandlingARequest() {
        try (var gateway = RunningGateway.withConnectionLimits(atMost(2), Clock.systemUTC())) {
            var busy = List.of(connect(gateway), connect(gateway));
            for (var connection : busy) {
                // Helidon answers 100 Continue only once the handler reads the body: the request is in progress.
                connection.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
                        + "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                        + "Content-Length: " + CHAT.length() + "\r\n\r\n");
                assertThat(connection.awaitReceived("100 Continue", WAIT)).isTrue();
            }

            var refused = connect(gateway);

            assertThat(refused.awaitClosedByServer(WAIT)).isTrue();
            assertThat(refused.received()).startsWith("HTTP/1.1 503").contains("Retry-After: 1")
                    .contains("\"code\":\"too_many_connections\"");
            for (var connection : busy) {
                connection.send(CHAT);
                assertThat(connection.awaitReceived("chatcmpl-1", WAIT)).as("the requests in progress complete")
                        .isTrue();
            }
        }
    }
}
