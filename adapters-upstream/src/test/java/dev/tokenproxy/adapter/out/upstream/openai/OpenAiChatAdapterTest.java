package dev.tokenproxy.adapter.out.upstream.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.http.BlockedThread;
import dev.tokenproxy.adapter.out.upstream.http.ClientWarmUp;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.AttemptOutcome.Fatal;
import dev.tokenproxy.domain.attempt.AttemptOutcome.Retryable;
import dev.tokenproxy.domain.attempt.AttemptOutcome.Success;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.routing.InboundFormat;
import dev.tokenproxy.domain.routing.ModelMappings;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.RecordedRequest;
import dev.tokenproxy.testing.Reply;
import dev.tokenproxy.testing.TestTls;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpenAiChatAdapterTest {

    private static final String KEY = "sk-test-key-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AttemptTimeouts SHORT_SILENCE =
            new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofMillis(300));
    private static final AttemptTimeouts GENEROUS =
            new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
    private static final Duration TEST_BOUND = Duration.ofSeconds(10);

    private final FakeOpenAiUpstream fake = FakeOpenAiUpstream.start();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Clock clock = Clock.systemUTC();

    @BeforeAll
    static void warmUp() throws Exception {
        ClientWarmUp.once();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        fake.close();
    }

    // --- non-stream -------------------------------------------------------------------------------------------

    @Test
    void deliversACompletionVerbatim() throws Exception {
        fake.script("gpt-4o", KEY, Reply.ok("Hello there"));

        var outcome = send(chat("gpt-4o", false));

        var reply = (UpstreamReply.Buffered) assertSuccess(outcome, 200).response();
        JsonNode body = JSON.readTree(reply.body());
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Hello there");
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o");
        assertThat(reply.headers()).containsEntry("content-type", "application/json");
    }

    @Test
    void aCompletionsSuccessCarriesTheUsageItReports() {
        fake.script("gpt-4o", KEY, Reply.ok("Hello there").withUsage(new Reply.Usage(40, 16, 9, 3)));

        var success = assertSuccess(send(chat("gpt-4o", false)), 200);

        // Read while the completion was checked, so the usage reader around every provider need not read it again.
        assertThat(success.usage()).isEqualTo(new TokenUsage(40, 16, 0, 9, 3));
    }

    @Test
    void injectsTheUpstreamKeyAndRewritesOnlyTheModel() throws Exception {
        fake.script("upstream-model", KEY, Reply.ok("ok"));
        String clientBody = "{\"model\":\"client-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"temperature\":0.5}";

        send(request(clientBody, "client-model", "upstream-model", false, GENEROUS, false));

        RecordedRequest sent = fake.requests().getFirst();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.bearerKey()).isEqualTo(KEY);
        assertThat(sent.header("content-type")).isEqualTo("application/json");
        assertThat(sent.header("accept")).isEqualTo("application/json");
        ObjectNode expected = (ObjectNode) JSON.readTree(clientBody);
        expected.put("model", "upstream-model");
        assertThat(JSON.readTree(sent.body())).isEqualTo(expected);
    }

    @Test
    void sendsTheClientBodyByteForByteWhenTheModelNeedsNoRename() {
        String clientBody = "{ \"model\" : \"gpt-4o\",\n \"messages\":[{\"role\":\"user\",\"content\":\"h\u00e9\"}] }";

        send(request(clientBody, "gpt-4o", "gpt-4o", false, GENEROUS, false));

        assertThat(fake.requests().getFirst().body()).isEqualTo(clientBody);
    }

    @Test
    void rateLimitIsRetryableWithTheUpstreamsWait() {
        fake.script("gpt-4o", KEY, Reply.rateLimited(7));

        var retry = assertRetryable(send(chat("gpt-4o", false)), RetryReason.RATE_LIMITED);

        assertThat(retry.status()).isEqualTo(429);
        assertThat(retry.cooldown()).isEqualTo(CooldownRule.hinted(Duration.ofSeconds(7)));
        var reply = (UpstreamReply.Buffered) retry.response();
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.headers()).containsEntry("retry-after", "7");
        assertThat(text(reply.body())).contains("rate_limit_exceeded");
    }

    @Test
    void readsARetryAfterDateAgainstTheInjectedClock() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        clock = Clock.fixed(now, ZoneOffset.UTC);
        String inNinetySeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.ofInstant(now.plusSeconds(90), ZoneOffset.UTC));
        fake.script("gpt-4o", KEY, Reply.error(503, "server_error", null, "overloaded")
                .withHeader("Retry-After", inNinetySeconds));

        var retry = assertRetryable(send(chat("gpt-4o", false)), RetryReason.SERVER_ERROR);

        assertThat(retry.cooldown()).isEqualTo(CooldownRule.hinted(Duration.ofSeconds(90)));
    }

    @Test
    void serverErrorIsRetryableAndKeepsTheUpstreamResponse() {
        fake.script("gpt-4o", KEY, Reply.error(500, "server_error", null, "boom"));

        var retry = assertRetryable(send(chat("gpt-4o", false)), RetryReason.SERVER_ERROR);

        assertThat(retry.cooldown()).isEqualTo(CooldownRule.TRANSIENT);
        assertThat(((UpstreamReply.Buffered) retry.response()).status()).isEqualTo(500);
    }

    @Test
    void anOrdinaryClientErrorIsADeliverableSuccess() {
        fake.script("gpt-4o", KEY, Reply.status(404, "{\"error\":{\"message\":\"no such model\","
                + "\"type\":\"invalid_request_error\",\"code\":\"model_not_found\",\"param\":null}}"));

        var success = assertSuccess(send(chat("gpt-4o", false)), 404);

        assertThat(text(((UpstreamReply.Buffered) success.response()).body())).contains("model_not_found");
    }

    @Test
    void contextLengthExceededIsFatalWithTheUpstreamBody() {
        fake.script("gpt-4o", KEY, Reply.contextLengthExceeded());

        var fatal = assertFatal(send(chat("gpt-4o", false)));

        assertThat(fatal.status()).isEqualTo(400);
        assertThat(text(((UpstreamReply.Buffered) fatal.response()).body())).contains("context_length_exceeded");
    }

    @Test
    void contentPolicyViolationIsFatalWithTheUpstreamBody() {
        fake.script("gpt-4o", KEY, Reply.contentPolicyViolation());

        var fatal = assertFatal(send(chat("gpt-4o", false)));

        assertThat(text(((UpstreamReply.Buffered) fatal.response()).body())).contains("content_policy_violation");
    }

    @Test
    void anEmptyCompletionIsRetryableWithoutCooldownAndDeliversNothing() {
        fake.script("gpt-4o", KEY, Reply.emptyCompletion());

        var retry = assertRetryable(send(chat("gpt-4o", false)), RetryReason.EMPTY_COMPLETION);

        assertThat(retry.status()).isEqualTo(502);
        assertThat(retry.response()).isNull();
        assertThat(retry.cooldown()).isEqualTo(CooldownRule.NONE);
    }

    @Test
    void aSuccessStatusWithoutACompletionIsRetryable() {
        fake.script("gpt-4o", KEY, Reply.malformedChunk());

        var retry = assertRetryable(send(chat("gpt-4o", false)), RetryReason.STREAM_FAILED_BEFORE_OUTPUT);

        assertThat(retry.response()).isNull();
    }

    @Test
    void echoesTheRequestedModelInACompletionWhenConfigured() throws Exception {
        fake.script("upstream-model", KEY, Reply.ok("hi"));

        var outcome = send(request(body("alias", false), "alias", "upstream-model", false, GENEROUS, true));

        var reply = (UpstreamReply.Buffered) assertSuccess(outcome, 200).response();
        assertThat(JSON.readTree(reply.body()).get("model").asText()).isEqualTo("alias");
    }

    // --- transport ------------------------------------------------------------------------------------------------

    @Test
    void aRefusedConnectionIsRetryableAsConnectFailed() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }

        var retry = assertRetryable(send(chatTo("http://127.0.0.1:" + closedPort + "/v1", false)),
                RetryReason.CONNECT_FAILED);

        assertThat(retry.status()).isZero();
        assertThat(retry.response()).isNull();
    }

    @Test
    void aResetBeforeTheHeadersIsRetryableAsConnectionReset() {
        fake.script("gpt-4o", KEY, Reply.resetBeforeHeaders());

        assertRetryable(send(chat("gpt-4o", false)), RetryReason.CONNECTION_RESET);
    }

    @Test
    void anUpstreamThatNeverAnswersTimesOutAfterTheFirstOutputLimitAndIsLeft() throws Exception {
        fake.script("gpt-4o", KEY, Reply.noAnswer());

        long start = System.nanoTime();
        var retry = assertRetryable(send(request(body("gpt-4o", false), "gpt-4o", "gpt-4o", false, SHORT_SILENCE,
                false)), RetryReason.TIMED_OUT);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(retry.status()).isZero();
        assertThat(fake.awaitClientDisconnect(TEST_BOUND)).as("the blocked read was released by closing").isTrue();
    }

    @Test
    void aBodyThatStallsTimesOutAsIdle() {
        fake.script("gpt-4o", KEY, Reply.stallAfter(1, "half an answer"));

        assertRetryable(send(request(body("gpt-4o", false), "gpt-4o", "gpt-4o", false, SHORT_SILENCE, false)),
                RetryReason.TIMED_OUT);
    }

    @Test
    void talksToATlsUpstreamTrustedByTheGivenContext() throws Exception {
        try (var tlsFake = FakeOpenAiUpstream.startTls(TestTls.localhostCert())) {
            tlsFake.script("gpt-4o", KEY, Reply.ok("secure hello"));

            var outcome = send(chatTo(tlsFake.baseUrl(), false), new UpstreamHttpClient(Optional.of(TestTls.clientContext())));

            var reply = (UpstreamReply.Buffered) assertSuccess(outcome, 200).response();
            assertThat(text(reply.body())).contains("secure hello");
        }
    }

    @Test
    void anUntrustedCertificateIsATlsFailure() {
        try (var tlsFake = FakeOpenAiUpstream.startTls(TestTls.untrustedCert())) {
            var outcome = send(chatTo(tlsFake.baseUrl(), false), new UpstreamHttpClient(Optional.of(TestTls.clientContext())));

            assertRetryable(outcome, RetryReason.TLS_FAILED);
            assertThat(tlsFake.requests()).isEmpty();
        }
    }

    @Test
    void theJdkTrustStoreDoesNotTrustASelfSignedUpstream() {
        try (var tlsFake = FakeOpenAiUpstream.startTls(TestTls.localhostCert())) {
            var outcome = send(chatTo(tlsFake.baseUrl(), false), new UpstreamHttpClient());

            assertRetryable(outcome, RetryReason.TLS_FAILED);
        }
    }

    @Test
    void reusesTheConnectionForConsecutiveRequests() {
        fake.script("gpt-4o", KEY, Reply.ok("one"), Reply.ok("two"), Reply.ok("three"));
        var http = new UpstreamHttpClient();

        for (String expected : List.of("one", "two", "three")) {
            var reply = (UpstreamReply.Buffered) assertSuccess(send(chat("gpt-4o", false), http), 200).response();
            assertThat(text(reply.body())).contains(expected);
        }
    }

    // --- stream ---------------------------------------------------------------------------------------------------

    @Test
    void streamsEveryEventAndEndsWithDone() throws Exception {
        fake.script("gpt-4o", KEY, Reply.ok("Hello streaming world"));

        var reply = streaming(send(chat("gpt-4o", true)));

        assertThat(reply.headers()).containsEntry("content-type", "text/event-stream");
        List<String> frames = drain(reply.stream());
        assertThat(frames.getLast()).isEqualTo("data: [DONE]\n\n");
        assertThat(contentOf(frames)).isEqualTo("Hello streaming world");
        assertThat(frames).allMatch(frame -> frame.startsWith("data: ") && frame.endsWith("\n\n"));
        assertThat(fake.requests().getFirst().header("accept")).isEqualTo("text/event-stream");
    }

    @Test
    void handsOutEventsAsTheyArriveWithoutWaitingForTheEnd() throws Exception {
        fake.script("gpt-4o", KEY, Reply.stallAfter(2, "first second third"));

        ReplyStream stream = streaming(send(chat("gpt-4o", true))).stream();

        // The upstream is now silent for good: these can only come from what already arrived.
        List<String> frames = assertTimeoutPreemptively(TEST_BOUND,
                () -> List.of(text(stream.next()), text(stream.next()), text(stream.next())));
        assertThat(frames.get(0)).contains("\"role\":\"assistant\"");
        assertThat(frames.get(1)).contains("\"content\":\"first \"");
        assertThat(frames.get(2)).contains("\"content\":\"second \"");
        stream.close();
    }

    @Test
    void closingTheStreamLeavesTheUpstream() throws Exception {
        fake.script("gpt-4o", KEY, Reply.stallAfter(1, "only this"));
        ReplyStream stream = streaming(send(chat("gpt-4o", true))).stream();
        stream.next();
        stream.next();
        var blockedReader = Thread.ofVirtual().start(stream::next);
        assertThat(BlockedThread.await(blockedReader, TEST_BOUND)).isTrue();

        stream.close();
        stream.close();

        assertThat(fake.awaitClientDisconnect(TEST_BOUND)).isTrue();
        assertThat(blockedReader.join(TEST_BOUND)).as("the blocked next() returned").isTrue();
        assertThat(stream.next()).isNull();
    }

    @Test
    void waitsForASlowFirstTokenWithinTheLimit() throws Exception {
        fake.script("gpt-4o", KEY, Reply.slowFirstToken(Duration.ofMillis(400), "late but fine"));

        var reply = streaming(send(request(body("gpt-4o", true), "gpt-4o", "gpt-4o", true,
                new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5)), false)));

        assertThat(contentOf(drain(reply.stream()))).isEqualTo("late but fine");
    }

    @Test
    void aFirstTokenLaterThanTheLimitIsRetryableAndInvisible() {
        fake.script("gpt-4o", KEY, Reply.slowFirstToken(Duration.ofSeconds(5), "too late"));

        var retry = assertRetryable(send(request(body("gpt-4o", true), "gpt-4o", "gpt-4o", true,
                new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(5)), false)),
                RetryReason.TIMED_OUT);

        assertThat(retry.response()).isNull();
    }

    @Test
    void anEmptyStreamIsRetryableAsEmptyCompletion() {
        fake.script("gpt-4o", KEY, Reply.emptyCompletion());

        var retry = assertRetryable(send(chat("gpt-4o", true)), RetryReason.EMPTY_COMPLETION);

        assertThat(retry.status()).isEqualTo(502);
        assertThat(retry.response()).isNull();
    }

    @Test
    void aStreamCutBeforeOutputIsRetryable() {
        fake.script("gpt-4o", KEY, Reply.streamCutAfter(0, "never shown"));

        assertThat(assertRetryable(send(chat("gpt-4o", true)), RetryReason.STREAM_FAILED_BEFORE_OUTPUT).response())
                .isNull();
    }

    @Test
    void aMalformedEventBeforeOutputIsRetryable() {
        fake.script("gpt-4o", KEY, Reply.malformedChunk());

        assertRetryable(send(chat("gpt-4o", true)), RetryReason.STREAM_FAILED_BEFORE_OUTPUT);
    }

    @Test
    void anErrorEventBeforeOutputIsRetryable() {
        fake.script("gpt-4o", KEY, Reply.errorEventBeforeOutput());

        assertRetryable(send(chat("gpt-4o", true)), RetryReason.STREAM_FAILED_BEFORE_OUTPUT);
    }

    @Test
    void aStallBeforeOutputIsRetryable() {
        fake.script("gpt-4o", KEY, Reply.stallAfter(0, "never shown"));

        assertRetryable(send(request(body("gpt-4o", true), "gpt-4o", "gpt-4o", true, SHORT_SILENCE, false)),
                RetryReason.TIMED_OUT);
    }

    @Test
    void aRetryableStatusIsNeverStreamed() {
        fake.script("gpt-4o", KEY, Reply.rateLimited(3));

        var retry = assertRetryable(send(chat("gpt-4o", true)), RetryReason.RATE_LIMITED);

        assertThat(retry.response()).isInstanceOf(UpstreamReply.Buffered.class);
    }

    @Test
    void aStreamCutAfterOutputEndsWithAnErrorEventAndDone() throws Exception {
        fake.script("gpt-4o", KEY, Reply.streamCutAfter(2, "one two three four"));

        List<String> frames = drain(streaming(send(chat("gpt-4o", true))).stream());

        assertTerminatedWithError(frames);
        assertThat(contentOf(frames)).isEqualTo("one two ");
    }

    @Test
    void aStallAfterOutputEndsWithAnErrorEventAndDone() throws Exception {
        fake.script("gpt-4o", KEY, Reply.stallAfter(2, "one two three four"));

        var reply = streaming(send(request(body("gpt-4o", true), "gpt-4o", "gpt-4o", true, SHORT_SILENCE, false)));

        assertTerminatedWithError(drain(reply.stream()));
    }

    @Test
    void aStreamWithoutDoneIsFinishedPromptly() throws Exception {
        fake.script("gpt-4o", KEY, Reply.noDone("complete answer"));

        var reply = streaming(send(request(body("gpt-4o", true), "gpt-4o", "gpt-4o", true,
                new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(30)), false)));

        long start = System.nanoTime();
        List<String> frames = drain(reply.stream());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(frames.getLast()).isEqualTo("data: [DONE]\n\n");
        assertThat(frames).noneMatch(frame -> frame.contains("stream_interrupted"));
        assertThat(contentOf(frames)).isEqualTo("complete answer");
    }

    @Test
    void echoesTheRequestedModelInEveryChunkWhenConfigured() throws Exception {
        fake.script("upstream-model", KEY, Reply.ok("a b c"));

        var reply = streaming(send(request(body("alias", true), "alias", "upstream-model", true, GENEROUS, true)));

        List<String> frames = drain(reply.stream());
        for (String frame : frames.subList(0, frames.size() - 1)) {
            assertThat(JSON.readTree(frame.substring("data: ".length())).get("model").asText()).isEqualTo("alias");
        }
    }

    @Test
    void forwardsChunksVerbatimWithoutEcho() throws Exception {
        fake.script("upstream-model", KEY, Reply.ok("a b"));

        var reply = streaming(send(request(body("alias", true), "alias", "upstream-model", true, GENEROUS, false)));

        assertThat(drain(reply.stream()).getFirst()).contains("\"model\":\"upstream-model\"");
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        return send(request, null);
    }

    private AttemptOutcome<UpstreamReply> send(AttemptRequest request, UpstreamHttpClient client) {
        UpstreamHttpClient http = client == null ? new UpstreamHttpClient() : client;
        toClose.add(http);
        return assertTimeoutPreemptively(TEST_BOUND, () -> new OpenAiChatAdapter(http, clock).send(request));
    }

    private AttemptRequest chat(String model, boolean stream) {
        return chatTo(fake.baseUrl(), stream, model);
    }

    private AttemptRequest chatTo(String baseUrl, boolean stream) {
        return chatTo(baseUrl, stream, "gpt-4o");
    }

    private AttemptRequest chatTo(String baseUrl, boolean stream, String model) {
        return request(baseUrl, body(model, stream), model, model, stream, GENEROUS, false);
    }

    private AttemptRequest request(String body, String requested, String upstreamModel, boolean stream,
                                   AttemptTimeouts timeouts, boolean echo) {
        return request(fake.baseUrl(), body, requested, upstreamModel, stream, timeouts, echo);
    }

    private AttemptRequest request(String baseUrl, String body, String requested, String upstreamModel,
                                   boolean stream, AttemptTimeouts timeouts, boolean echo) {
        var upstream = new Upstream("fake", "openai", URI.create(baseUrl), new CredentialSource.ApiKeys(List.of(new Secret(KEY))), 0, true,
                Set.of(), ModelMappings.NONE, echo, true);
        return new AttemptRequest(upstream, new Credential.ApiKey(new CredentialKey("fake", "key-1"), new Secret(KEY)),
                InboundFormat.CHAT, requested, upstreamModel, body.getBytes(StandardCharsets.UTF_8), stream, timeouts,
                clock.instant().plusSeconds(30));
    }

    private static String body(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":"
                + stream + "}";
    }

    private static Success<UpstreamReply> assertSuccess(AttemptOutcome<UpstreamReply> outcome, int status) {
        assertThat(outcome).isInstanceOf(Success.class);
        var success = (Success<UpstreamReply>) outcome;
        assertThat(success.status()).isEqualTo(status);
        return success;
    }

    private static Retryable<UpstreamReply> assertRetryable(AttemptOutcome<UpstreamReply> outcome,
                                                            RetryReason reason) {
        assertThat(outcome).isInstanceOf(Retryable.class);
        var retry = (Retryable<UpstreamReply>) outcome;
        assertThat(retry.reason()).isEqualTo(reason);
        return retry;
    }

    private static Fatal<UpstreamReply> assertFatal(AttemptOutcome<UpstreamReply> outcome) {
        assertThat(outcome).isInstanceOf(Fatal.class);
        return (Fatal<UpstreamReply>) outcome;
    }

    private static UpstreamReply.Streaming streaming(AttemptOutcome<UpstreamReply> outcome) {
        return (UpstreamReply.Streaming) assertSuccess(outcome, 200).response();
    }

    private static List<String> drain(ReplyStream stream) {
        return assertTimeoutPreemptively(TEST_BOUND, () -> {
            var frames = new ArrayList<String>();
            byte[] frame;
            while ((frame = stream.next()) != null) {
                frames.add(text(frame));
            }
            return frames;
        });
    }

    private static void assertTerminatedWithError(List<String> frames) throws Exception {
        assertThat(frames).hasSizeGreaterThanOrEqualTo(2);
        assertThat(frames.getLast()).isEqualTo("data: [DONE]\n\n");
        JsonNode error = JSON.readTree(frames.get(frames.size() - 2).substring("data: ".length())).get("error");
        assertThat(error.get("type").asText()).isEqualTo("upstream_error");
        assertThat(error.get("code").asText()).isEqualTo("stream_interrupted");
        assertThat(frames).noneMatch(frame -> frame.contains("\"finish_reason\":\"stop\""));
    }

    /** The concatenated delta content of the frames. */
    private static String contentOf(List<String> frames) throws Exception {
        var content = new StringBuilder();
        for (String frame : frames) {
            String data = frame.substring("data: ".length()).strip();
            if (data.equals("[DONE]")) {
                continue;
            }
            for (JsonNode choice : JSON.readTree(data).path("choices")) {
                content.append(choice.path("delta").path("content").asText(""));
            }
        }
        return content.toString();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
