package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.domain.classify.Fault;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pooled connection must never carry one request's leftovers into the next: every client gets its own answer,
 * whatever a broken upstream writes after a valid response. And a clean response keeps its connection for reuse.
 */
class ConnectionHygieneTest {

    private static final ExchangeLimits LIMITS = new ExchangeLimits(Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ofSeconds(30));
    private static final Map<String, String> HEADERS = Map.of("Content-Type", "application/json");
    private static final String ANY = FakeOpenAiUpstream.ANY;

    private final UpstreamHttpClient http = new UpstreamHttpClient();

    @BeforeAll
    static void warmUp() throws TransportFailure {
        ClientWarmUp.once();
    }

    @AfterEach
    void close() {
        http.close();
    }

    @Test
    void aStrayResponseInTheSamePacketNeverAnswersTheNextRequest() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.script("req-1", ANY, Reply.thenStrayResponse(Reply.ok("answer-1"), Duration.ZERO, "stray-1"));

            assertThat(answer(fake, "req-1")).contains("answer-1");
            for (int i = 2; i <= 6; i++) {
                fake.script("req-" + i, ANY, Reply.ok("answer-" + i));
                assertThat(answer(fake, "req-" + i)).contains("answer-" + i).doesNotContain("stray");
            }
            assertThat(fake.requests()).hasSize(6);
        }
    }

    @Test
    void aStrayResponseArrivingWhileIdleDiscardsThePooledConnection() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            var straySent = new java.util.concurrent.CountDownLatch(1);
            fake.script("req-1", ANY, Reply.thenStrayResponse(Reply.ok("answer-1"), Duration.ofMillis(200), "stray-1")
                    .onFinished(straySent::countDown));
            fake.script("req-2", ANY, Reply.ok("answer-2"));

            assertThat(answer(fake, "req-1")).contains("answer-1");
            assertThat(straySent.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            assertThat(answer(fake, "req-2")).contains("answer-2").doesNotContain("stray");
            assertThat(fake.acceptedConnections()).isEqualTo(2);
        }
    }

    @Test
    void aStrayResponseAfterAStreamNeverAnswersTheNextRequest() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.script("req-1", ANY, Reply.thenStrayResponse(Reply.ok("streamed answer"), Duration.ZERO, "stray-1"));
            fake.script("req-2", ANY, Reply.ok("answer-2"));

            try (var exchange = http.post(chat(fake), HEADERS, body("req-1", true), LIMITS)) {
                exchange.outputStarted();
                assertThat(new String(exchange.readBody(), StandardCharsets.UTF_8)).contains("[DONE]");
            }

            assertThat(answer(fake, "req-2")).contains("answer-2").doesNotContain("stray");
        }
    }

    @Test
    void dataBufferedBeforeTheServerClosedIsNeverReadAsTheNextAnswer() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            var closed = new java.util.concurrent.CountDownLatch(1);
            fake.script("req-1", ANY, Reply.thenStrayResponseAndClose(Reply.ok("answer-1"), "stray-1")
                    .onFinished(closed::countDown));
            fake.script("req-2", ANY, Reply.ok("answer-2"));

            assertThat(answer(fake, "req-1")).contains("answer-1");
            // Bytes that come after the lease check race with our next request in any HTTP/1.1 client; what must
            // hold is that bytes already there (the stray, then EOF) are never taken for an answer.
            assertThat(closed.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(answer(fake, "req-2")).contains("answer-2").doesNotContain("stray");
        }
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedWithoutFailingTheRequest() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            var closed = new java.util.concurrent.CountDownLatch(1);
            fake.script("req-1", ANY, Reply.thenClose(Reply.ok("answer-1")).onFinished(closed::countDown));
            fake.script("req-2", ANY, Reply.ok("answer-2"));

            assertThat(answer(fake, "req-1")).contains("answer-1");
            assertThat(closed.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            assertThat(answer(fake, "req-2")).contains("answer-2");
            assertThat(fake.acceptedConnections()).isEqualTo(2);
        }
    }

    @Test
    void cleanResponsesReuseOneConnection() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.defaultReply(Reply.ok("fine"));
            for (int i = 0; i < 20; i++) {
                assertThat(answer(fake, "m")).contains("fine");
            }
            assertThat(fake.acceptedConnections()).isEqualTo(1);
        }
    }

    @Test
    void streamsThatEndCleanlyReuseOneConnection() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.defaultReply(Reply.ok("streamed words"));
            for (int i = 0; i < 20; i++) {
                try (var exchange = http.post(chat(fake), HEADERS, body("m", true), LIMITS)) {
                    exchange.outputStarted();
                    byte[] head = new byte[64];
                    assertThat(exchange.read(head)).isPositive();
                    // The caller has what it wants (e.g. [DONE]) and lets the rest of the body go.
                    exchange.finish();
                }
            }
            assertThat(fake.acceptedConnections()).isEqualTo(1);
        }
    }

    @Test
    void aCloseDelimitedBodyIsReadWholeAndItsConnectionNeverReused() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.script("req-1", ANY, Reply.closeDelimited("answer-1"));
            fake.script("req-2", ANY, Reply.ok("answer-2"));

            assertThat(answer(fake, "req-1")).contains("answer-1");
            assertThat(answer(fake, "req-2")).contains("answer-2");
            assertThat(fake.acceptedConnections()).isEqualTo(2);
        }
    }

    /**
     * {@code close} is a token of the Connection list, in any case (RFC 9110 §7.6.1): a response that asks for it
     * ends its connection even when the server, lax, would carry on reading requests on it.
     */
    @ParameterizedTest(name = "Connection: {0}")
    @ValueSource(strings = {"close", "Close", "keep-alive, Close", "TE, close"})
    void aResponseAskingToCloseIsNeverFollowedByAnotherRequestOnItsConnection(String connection) throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.script("req-1", ANY, Reply.ok("answer-1").withHeader("Connection", connection));
            fake.script("req-2", ANY, Reply.ok("answer-2"));

            assertThat(answer(fake, "req-1")).contains("answer-1");
            assertThat(answer(fake, "req-2")).contains("answer-2");
            assertThat(fake.acceptedConnections()).isEqualTo(2);
        }
    }

    @Test
    void interimResponsesAreSkippedAndTheFinalOneDelivered() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.script("req-1", ANY, Reply.interimThen(103, Reply.interimThen(100, Reply.ok("answer-1"))));
            fake.script("req-2", ANY, Reply.ok("answer-2"));

            try (var exchange = http.post(chat(fake), HEADERS, body("req-1", false), LIMITS)) {
                assertThat(exchange.status()).isEqualTo(200);
                exchange.outputStarted();
                assertThat(new String(exchange.readBody(), StandardCharsets.UTF_8)).contains("answer-1");
            }
            assertThat(answer(fake, "req-2")).contains("answer-2");
        }
    }

    @Test
    void aStatusOutsideTheHttpRangeIsAProtocolViolation() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.defaultReply(Reply.rawStatusLine("HTTP/1.1 999 Odd", "{}"));

            var failure = catchThrowableOfType(TransportFailure.class,
                    () -> http.post(chat(fake), HEADERS, body("m", false), LIMITS));

            assertThat(failure.fault()).isEqualTo(Fault.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void aResponseWithBothLengthAndChunkingIsAProtocolViolation() throws Exception {
        try (var fake = FakeOpenAiUpstream.start()) {
            fake.defaultReply(Reply.ambiguousLength("answer"));

            var failure = catchThrowableOfType(TransportFailure.class,
                    () -> http.post(chat(fake), HEADERS, body("m", false), LIMITS));

            assertThat(failure.fault()).isEqualTo(Fault.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void aBodyDeclaredLargerThanTheCapFailsWithoutBeingRead() throws Exception {
        try (var fake = FakeOpenAiUpstream.start(); var capped = new UpstreamHttpClient(java.util.Optional.empty(),
                1024 * 1024, InFlightBytes.unlimited())) {
            fake.defaultReply(Reply.hugeBody(2L * 1024 * 1024 * 1024));

            try (var exchange = capped.post(chat(fake), HEADERS, body("m", false), LIMITS)) {
                exchange.outputStarted();
                var failure = catchThrowableOfType(TransportFailure.class, exchange::readBody);
                assertThat(failure.fault()).isEqualTo(Fault.RESPONSE_TOO_LARGE);
            }
            assertThat(fake.awaitClientDisconnect(Duration.ofSeconds(10))).isTrue();
        }
    }

    /**
     * Without a declared length only counting can stop a huge body: the cap is checked as bytes arrive, the client
     * leaves long before the 2 GiB are sent, and the connection, left mid-body, is never leased again.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hugeBodiesWithoutALength")
    void aBodyWithoutALengthFailsOnceItPassesTheCapWithoutBeingReadWhole(String framing, Reply huge)
            throws Exception {
        try (var fake = FakeOpenAiUpstream.start(); var capped = new UpstreamHttpClient(java.util.Optional.empty(),
                1024 * 1024, InFlightBytes.unlimited())) {
            fake.script("huge", ANY, huge);
            fake.script("next", ANY, Reply.ok("answer-next"));

            try (var exchange = capped.post(chat(fake), HEADERS, body("huge", false), LIMITS)) {
                exchange.outputStarted();
                var failure = catchThrowableOfType(TransportFailure.class, exchange::readBody);
                assertThat(failure.fault()).isEqualTo(Fault.RESPONSE_TOO_LARGE);
            }
            assertThat(fake.awaitClientDisconnect(Duration.ofSeconds(10)))
                    .as("the client left before the fake finished writing 2 GiB").isTrue();

            try (var exchange = capped.post(chat(fake), HEADERS, body("next", false), LIMITS)) {
                exchange.outputStarted();
                assertThat(new String(exchange.readBody(), StandardCharsets.UTF_8)).contains("answer-next");
            }
            assertThat(fake.acceptedConnections()).as("the next request had a connection of its own").isEqualTo(2);
        }
    }

    static Stream<Arguments> hugeBodiesWithoutALength() {
        long twoGiB = 2L * 1024 * 1024 * 1024;
        return Stream.of(
                Arguments.of("chunked", Reply.hugeChunkedBody(twoGiB)),
                Arguments.of("close-delimited", Reply.hugeCloseDelimitedBody(twoGiB)));
    }

    @Test
    void aBodyThatDoesNotFitTheBudgetOfBytesInFlightFailsAsGatewayOverloadedAndGivesItsBytesBack() throws Exception {
        var budget = new InFlightBytes(64 * 1024);
        try (var fake = FakeOpenAiUpstream.start(); var capped = new UpstreamHttpClient(java.util.Optional.empty(),
                1024 * 1024, budget)) {
            fake.defaultReply(Reply.hugeBody(512 * 1024));

            try (var exchange = capped.post(chat(fake), HEADERS, body("m", false), LIMITS)) {
                exchange.outputStarted();
                var failure = catchThrowableOfType(TransportFailure.class, exchange::readBody);
                assertThat(failure.fault()).isEqualTo(Fault.GATEWAY_OVERLOADED);
            }
            assertThat(budget.used()).isZero();

            fake.defaultReply(Reply.ok("small enough"));
            try (var exchange = capped.post(chat(fake), HEADERS, body("m", false), LIMITS)) {
                exchange.outputStarted();
                assertThat(new String(exchange.readBody(), StandardCharsets.UTF_8)).contains("small enough");
            }
            assertThat(budget.used()).isZero();
        }
    }

    private String answer(FakeOpenAiUpstream fake, String model) throws TransportFailure {
        try (var exchange = http.post(chat(fake), HEADERS, body(model, false), LIMITS)) {
            exchange.outputStarted();
            return new String(exchange.readBody(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] body(String model, boolean stream) {
        return ("{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static URI chat(FakeOpenAiUpstream fake) {
        return URI.create(fake.baseUrl() + "/chat/completions");
    }
}
