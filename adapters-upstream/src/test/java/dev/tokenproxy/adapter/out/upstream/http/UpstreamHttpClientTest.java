package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.domain.classify.Fault;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.RecordedRequest;
import dev.tokenproxy.testing.Reply;
import dev.tokenproxy.testing.Script;
import dev.tokenproxy.testing.ScriptedHttpServer;
import dev.tokenproxy.testing.TestTls;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamHttpClientTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final ExchangeLimits GENEROUS = limits(Duration.ofSeconds(30), Duration.ofSeconds(30),
            Duration.ofSeconds(60));
    private static final byte[] BODY = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);
    private static final Map<String, String> HEADERS = Map.of("Content-Type", "application/json");

    private final UpstreamHttpClient http = new UpstreamHttpClient(Optional.of(TestTls.clientContext()));

    @BeforeAll
    static void warmUp() throws TransportFailure {
        ClientWarmUp.once();
    }

    @AfterEach
    void close() {
        http.close();
    }

    @Test
    void abortFromAnotherThreadReleasesABlockedBodyRead() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            assertAbortReleasesBlockedRead(fake);
        }
    }

    @Test
    void abortFromAnotherThreadReleasesABlockedBodyReadOverTls() throws Exception {
        try (var fake = FakeOpenAiUpstream.startTls(TestTls.localhostCert())) {
            assertAbortReleasesBlockedRead(fake);
        }
    }

    @Test
    void theWatchdogAbortsAWaitForHeadersAtTheFirstOutputLimit() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.defaultReply(Reply.noAnswer());
            long start = System.nanoTime();

            var failure = catchThrowableOfType(TransportFailure.class,
                    () -> http.post(chat(fake), HEADERS, BODY, limits(Duration.ofMillis(300), Duration.ofSeconds(30),
                            Duration.ofSeconds(60))));

            assertThat(failure.fault()).isEqualTo(Fault.FIRST_OUTPUT_TIMEOUT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(fake.awaitClientDisconnect(BOUND)).isTrue();
        }
    }

    @Test
    void theWatchdogAbortsAStalledTlsBodyAtTheIdleLimit() throws Exception {
        try (var fake = FakeOpenAiUpstream.startTls(TestTls.localhostCert())) {
            fake.defaultReply(Reply.stallAfter(1, "half of it"));
            var exchange = http.post(chat(fake), HEADERS, BODY, limits(Duration.ofSeconds(30), Duration.ofMillis(300),
                    Duration.ofSeconds(60)));
            exchange.outputStarted();

            var failure = catchThrowableOfType(TransportFailure.class, exchange::readBody);

            assertThat(failure.fault()).isEqualTo(Fault.IDLE_TIMEOUT);
            assertThat(fake.awaitClientDisconnect(BOUND)).isTrue();
        }
    }

    @Test
    void theDeadlineEndsAnExchangeBeforeItsOwnLimits() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.defaultReply(Reply.noAnswer());

            var failure = catchThrowableOfType(TransportFailure.class,
                    () -> http.post(chat(fake), HEADERS, BODY, limits(Duration.ofSeconds(30), Duration.ofSeconds(30),
                            Duration.ofMillis(300))));

            assertThat(failure.fault()).isEqualTo(Fault.FIRST_OUTPUT_TIMEOUT);
        }
    }

    @Test
    void keepsConnectionsAliveAndNeverReusesAnAbortedOne() throws Exception {
        // POST /stall announces ten bytes, sends four, then nothing until the client leaves; anything else is "ok".
        try (var server = ScriptedHttpServer.start(request -> request.path().equals("/stall")
                ? out -> {
                    out.sendPrefix(200, "text/plain", "half of it".getBytes(StandardCharsets.US_ASCII), 4);
                    out.holdUntilClientLeaves();
                }
                : out -> out.send(200, "text/plain", "ok"))) {
            assertThat(okBody(server)).isEqualTo("ok");
            assertThat(okBody(server)).isEqualTo("ok");
            assertThat(server.acceptedConnections()).isEqualTo(1);

            var stalled = http.post(URI.create(server.url("/stall")), HEADERS, BODY, GENEROUS);
            stalled.abort();

            assertThat(okBody(server)).isEqualTo("ok");
            assertThat(server.acceptedConnections()).isEqualTo(2);
            assertThat(server.awaitAbandonedConnections(1, BOUND)).as("the aborted exchange's connection").isTrue();
        }
    }

    /**
     * The head and the body leave through different writes (the body as it is, never copied into the head's buffer):
     * whatever their sizes against the writer's 1 KiB start (this head is ~650 bytes) and 4 KiB limit, the upstream
     * reads the same bytes, and the next request on the connection is framed right. A body at the start of a longer
     * array (a reused buffer, where an earlier prompt's bytes follow it) is sent without what follows it.
     */
    @ParameterizedTest
    @CsvSource({"0, false, false", "13, false, false", "600, false, false", "3500, false, false",
            "5000, false, false", "300000, false, false", "600, true, false", "300000, true, false",
            "13, false, true", "300000, false, true", "600, true, true", "300000, true, true"})
    void aBodyArrivesByteForByteBehindItsHeadAndTheConnectionServesTheNextRequest(int size, boolean tls,
                                                                                  boolean inLongerArray)
            throws Exception {
        String padding = "p".repeat(500);
        var headers = Map.of("Content-Type", "application/json", "X-Padding", padding);
        byte[] body = jsonOfSize(size);
        byte[] array = inLongerArray ? Arrays.copyOf(body, size + 70_000) : body;
        Arrays.fill(array, size, array.length, (byte) 'S');
        Function<RecordedRequest, Script> ok = request -> out -> out.send(200, "text/plain", "ok");
        try (var server = tls ? ScriptedHttpServer.startTls(TestTls.localhostCert(), ok)
                : ScriptedHttpServer.start(ok)) {
            for (int round = 0; round < 2; round++) {
                try (var exchange = http.post(URI.create(server.url("/echo")), headers, BodyBytes.of(array, size),
                        GENEROUS)) {
                    assertThat(new String(exchange.readBody(), StandardCharsets.US_ASCII)).isEqualTo("ok");
                }
            }

            assertThat(server.requests()).hasSize(2).allSatisfy(received -> {
                assertThat(received.header("x-padding")).isEqualTo(padding);
                assertThat(received.header("content-length")).isEqualTo(Integer.toString(size));
                assertThat(received.body()).isEqualTo(new String(body, StandardCharsets.UTF_8));
            });
            assertThat(server.acceptedConnections()).isEqualTo(1);
        }
    }

    /** The certificate's names are checked, not only its chain: a trusted certificate for another host is refused. */
    @Test
    void aTrustedCertificateForAnotherHostIsATlsFailureBeforeAnythingIsSent() throws Exception {
        Function<RecordedRequest, Script> ok = request -> out -> out.send(200, "text/plain", "ok");
        try (var server = ScriptedHttpServer.startTls(TestTls.otherHostCert(), ok)) {
            var failure = catchThrowableOfType(TransportFailure.class,
                    () -> http.post(URI.create(server.url("/ok")), HEADERS, BODY, GENEROUS));

            assertThat(failure.fault()).isEqualTo(Fault.TLS_FAILURE);
            assertThat(server.requests()).isEmpty();
        }
    }

    /** A host name (not only an IP address) is matched against the certificate's DNS names. */
    @Test
    void aCertificateForTheHostNameUsedIsAccepted() throws Exception {
        Function<RecordedRequest, Script> ok = request -> out -> out.send(200, "text/plain", "ok");
        try (var server = ScriptedHttpServer.startTls(TestTls.localhostCert(), ok)) {
            var byName = URI.create(server.url("/ok").replace("127.0.0.1", "localhost"));
            try (var exchange = http.post(byName, HEADERS, BODY, GENEROUS)) {
                assertThat(new String(exchange.readBody(), StandardCharsets.US_ASCII)).isEqualTo("ok");
            }
            assertThat(server.requests()).singleElement()
                    .satisfies(received -> assertThat(received.header("host")).startsWith("localhost:"));
        }
    }

    /** {@code {"p":"abc…"}} of exactly {@code size} bytes (at least 8), or no bytes for 0. */
    private static byte[] jsonOfSize(int size) {
        if (size == 0) {
            return new byte[0];
        }
        var text = new StringBuilder("{\"p\":\"");
        while (text.length() < size - 2) {
            text.append((char) ('a' + text.length() % 26));
        }
        return text.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private String okBody(ScriptedHttpServer server) throws TransportFailure {
        try (var exchange = http.post(URI.create(server.url("/ok")), HEADERS, BODY, GENEROUS)) {
            return new String(exchange.readBody(), StandardCharsets.US_ASCII);
        }
    }

    private void assertAbortReleasesBlockedRead(FakeOpenAiUpstream fake) throws Exception {
        fake.defaultReply(Reply.stallAfter(1, "half of it"));
        var exchange = http.post(chat(fake), HEADERS, BODY, GENEROUS);
        exchange.outputStarted();
        byte[] buffer = new byte[64 * 1024];
        assertThat(exchange.read(buffer)).as("the half body that was sent").isPositive();
        var failure = new CompletableFuture<TransportFailure>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                exchange.read(buffer);
                failure.complete(null);
            } catch (TransportFailure expected) {
                failure.complete(expected);
            }
        });
        // Nothing more will come, so once parked the reader is blocked on the socket.
        assertThat(BlockedThread.await(reader, BOUND)).isTrue();

        exchange.abort();

        assertThat(failure.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(TransportFailure.class);
        assertThat(fake.awaitClientDisconnect(BOUND)).isTrue();
    }

    private static URI chat(FakeOpenAiUpstream fake) {
        return URI.create(fake.baseUrl() + "/chat/completions");
    }

    private static ExchangeLimits limits(Duration firstOutput, Duration idle, Duration untilDeadline) {
        return new ExchangeLimits(Duration.ofSeconds(5), firstOutput, idle, untilDeadline);
    }
}
