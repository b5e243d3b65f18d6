package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.adapter.in.http.connection.AdvancingClock;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read deadlines of {@code limits} on a real server: a client that sends its request too slowly, or nothing at
 * all, loses its connection at the deadline; a response that takes long to produce is never cut.
 */
class SlowClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration LONG = Duration.ofSeconds(30);
    /** The reaper looks every tenth of a timeout; the rest is slack for a loaded machine. */
    private static final Duration LATEST_CLOSE = TIMEOUT.plusSeconds(3);
    /**
     * The guard stamps connections with the wall clock, the test measures with {@code nanoTime} from its own side
     * of the socket: the two may disagree by a few milliseconds, so "not before the deadline" allows that much.
     */
    private static final Duration EARLIEST_CLOSE = TIMEOUT.minusMillis(100);
    private static final Duration DRIP_INTERVAL = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String BODY = "{\"model\":\"gpt-4.1\",\"messages\":[]}";

    private final ScheduledExecutorService dripper = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService reader = Executors.newVirtualThreadPerTaskExecutor();
    private final List<BareConnection> connections = new ArrayList<>();

    @AfterEach
    void stop() {
        dripper.shutdownNow();
        reader.shutdownNow();
        connections.forEach(BareConnection::close);
    }

    private BareConnection connect(RunningGateway gateway) {
        var connection = BareConnection.open(gateway.port());
        connections.add(connection);
        return connection;
    }

    /**
     * Sends {@code text} one byte per {@link #DRIP_INTERVAL}, starting now: true once all of it went out, false
     * when the server closed the connection first.
     */
    private CompletableFuture<Boolean> drip(BareConnection connection, String text) {
        var done = new CompletableFuture<Boolean>();
        var next = new AtomicInteger();
        var task = dripper.scheduleAtFixedRate(() -> {
            int i = next.getAndIncrement();
            if (i >= text.length()) {
                done.complete(true);
            } else if (!connection.send(text.substring(i, i + 1))) {
                done.complete(false);
            }
        }, 0, DRIP_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        done.whenComplete((sent, failure) -> task.cancel(false));
        return done;
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Test
    void aClientDrippingItsHeadersIsClosedAtTheHeaderDeadline() throws Exception {
        try (var gateway = RunningGateway.withConnectionLimits(new ConnectionLimits(100, TIMEOUT, LONG, LONG),
                Clock.systemUTC())) {
            var client = connect(gateway);
            long firstByte = System.nanoTime();
            // 38 bytes at 5 a second: the whole request would take 7.6 s.
            var dripped = drip(client, "GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n");

            assertThat(client.awaitClosedByServer(WAIT)).isTrue();
            Duration open = since(firstByte);

            assertThat(open).isBetween(EARLIEST_CLOSE, LATEST_CLOSE);
            assertThat(client.received()).as("no response to a request that never completed").isEmpty();
            assertThat(dripped.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the drip was cut off").isFalse();
        }
    }

    @Test
    void aClientDrippingItsBodyIsClosedAtTheBodyDeadlineAndNeverReachesTheUpstream() throws Exception {
        try (var gateway = RunningGateway.withConnectionLimits(new ConnectionLimits(100, LONG, TIMEOUT, LONG),
                Clock.systemUTC())) {
            var client = connect(gateway);
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + BODY.length() + "\r\n\r\n");
            long headersSent = System.nanoTime();
            var dripped = drip(client, BODY);

            assertThat(client.awaitClosedByServer(WAIT)).isTrue();
            Duration open = since(headersSent);

            assertThat(open).isBetween(EARLIEST_CLOSE, LATEST_CLOSE);
            assertThat(client.received()).isEmpty();
            assertThat(dripped.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isFalse();
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheIdleTimeout() {
        try (var gateway = RunningGateway.withConnectionLimits(new ConnectionLimits(100, LONG, LONG, TIMEOUT),
                Clock.systemUTC())) {
            long opened = System.nanoTime();
            var silent = connect(gateway);

            assertThat(silent.awaitClosedByServer(WAIT)).isTrue();

            assertThat(since(opened)).isBetween(EARLIEST_CLOSE, LATEST_CLOSE);
            // The reaper forgets the connection just after closing it: the client may see the close first.
            long giveUp = System.nanoTime() + WAIT.toNanos();
            while (gateway.guard.openConnections() != 0 && System.nanoTime() < giveUp) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(gateway.guard.openConnections()).isZero();
        }
    }

    @Test
    void aKeepAliveConnectionIsClosedAtTheIdleTimeoutAfterItsLastResponse() {
        try (var gateway = RunningGateway.withConnectionLimits(new ConnectionLimits(100, LONG, LONG, TIMEOUT),
                Clock.systemUTC())) {
            var client = connect(gateway);
            client.send("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n");
            assertThat(client.awaitReceived("{\"status\":\"ok\"}", WAIT)).isTrue();
            long answered = System.nanoTime();

            assertThat(client.awaitClosedByServer(WAIT)).isTrue();

            assertThat(since(answered)).isBetween(EARLIEST_CLOSE, LATEST_CLOSE);
        }
    }

    @Test
    void aStreamOutlastingEveryTimeoutIsNeverCut() throws Exception {
        var clock = new AdvancingClock();
        var stream = new ControlledReplyStream();
        try (var gateway = RunningGateway.withConnectionLimits(new ConnectionLimits(100, TIMEOUT, TIMEOUT, TIMEOUT),
                clock)) {
            gateway.forward.answer(new ForwardResult.Delivered(new UpstreamReply.Streaming(200,
                    Map.of("content-type", "text/event-stream"), stream)));
            var silent = connect(gateway);
            stream.release("data: {\"n\":1}\n\n");
            HttpResponse<java.io.InputStream> response = gateway.client().sendAsync(
                    gateway.chat("{\"model\":\"gpt-4.1\",\"stream\":true,\"messages\":[]}").build(),
                    HttpResponse.BodyHandlers.ofInputStream()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            assertThat(nextLine(lines)).isEqualTo("data: {\"n\":1}");
            assertThat(nextLine(lines)).isEmpty();

            // An hour of output, as far as the guard can tell: every deadline it knows has long passed.
            clock.advance(Duration.ofHours(1));
            gateway.guard.sweep();

            assertThat(silent.awaitClosedByServer(WAIT)).as("the sweep did close what was overdue").isTrue();
            stream.release("data: {\"n\":2}\n\n");
            stream.release("data: [DONE]\n\n");
            stream.end();
            assertThat(nextLine(lines)).isEqualTo("data: {\"n\":2}");
            assertThat(nextLine(lines)).isEmpty();
            assertThat(nextLine(lines)).isEqualTo("data: [DONE]");
            assertThat(nextLine(lines)).isEmpty();
            assertThat(nextLine(lines)).as("end of the response").isNull();
        }
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
}
