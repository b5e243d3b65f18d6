package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import dev.tokenproxy.testing.TestTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as users run it (bootstrap wiring, real sockets) between the official OpenAI Java SDK and two fake
 * OpenAI upstreams, {@code a} then {@code b} in fill-first order: the failover behaviour of behaviour.md end to end.
 */
class FailoverEndToEndTest {

    private static final String MODEL = "gpt-test";
    private static final String KEY_A = "sk-upstream-a-secret-0001";
    private static final String KEY_B = "sk-upstream-b-secret-0002";

    @TempDir
    Path folder;

    private final FakeOpenAiUpstream a = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream b = FakeOpenAiUpstream.start();
    private LogCapture logs;
    private GatewayUnderTest gateway;

    @BeforeEach
    void captureLogs() {
        logs = new LogCapture();
    }

    @AfterEach
    void stopEverythingAndCheckNoUpstreamKeyWasLogged() {
        if (gateway != null) {
            gateway.close();
        }
        a.close();
        b.close();
        logs.close();
        assertThat(logs.all()).doesNotContain(KEY_A).doesNotContain(KEY_B);
    }

    private GatewayUnderTest gatewayOver(String aBaseUrl) {
        return gatewayOver(aBaseUrl, "");
    }

    private GatewayUnderTest gatewayOver(String aBaseUrl, String extra) {
        String yaml = """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                timeouts: { connect_seconds: 2, first_output_seconds: 1, idle_seconds: 2 }
                max_request_body_bytes: 4096
                upstreams:
                  - { id: a, provider: openai, base_url: "%s", api_keys: ["${KEY_A}"] }
                  - { id: b, provider: openai, base_url: "%s", api_keys: ["${KEY_B}"] }
                %s""".formatted(aBaseUrl, b.baseUrl(), extra);
        gateway = GatewayUnderTest.start(folder, yaml, Map.of("KEY_A", KEY_A, "KEY_B", KEY_B));
        return gateway;
    }

    private static ChatCompletionCreateParams params() {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Say hello").build();
    }

    private static String completionText(GatewayUnderTest gateway) {
        return gateway.sdk().chat().completions().create(params()).choices().get(0).message().content().orElse("");
    }

    private static String streamedText(GatewayUnderTest gateway) {
        try (StreamResponse<ChatCompletionChunk> stream = gateway.sdk().chat().completions().createStreaming(params())) {
            return stream.stream()
                    .flatMap(chunk -> chunk.choices().stream())
                    .map(choice -> choice.delta().content().orElse(""))
                    .collect(Collectors.joining());
        }
    }

    @Test
    void servesAnSdkCallNonStreamAndStreamWithTheUpstreamKeyInjected() {
        a.defaultReply(Reply.ok("Hello there friend"));
        gatewayOver(a.baseUrl());

        assertThat(completionText(gateway)).isEqualTo("Hello there friend");
        assertThat(streamedText(gateway)).isEqualTo("Hello there friend");
        assertThat(a.requests()).hasSize(2).allSatisfy(r -> {
            assertThat(r.bearerKey()).isEqualTo(KEY_A);
            assertThat(r.body()).doesNotContain(GatewayUnderTest.LOCAL_KEY);
            assertThat(r.headers().values()).noneMatch(v -> v.contains(GatewayUnderTest.LOCAL_KEY));
        });
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void rateLimitWithRetryAfterFailsOverAndTheCooledKeyIsSkippedByTheNextRequest() {
        a.script(MODEL, KEY_A, Reply.rateLimited(30));
        b.defaultReply(Reply.ok("from b"));
        gatewayOver(a.baseUrl());

        assertThat(completionText(gateway)).isEqualTo("from b");
        assertThat(completionText(gateway)).isEqualTo("from b");

        assertThat(a.requests()).as("429 is never retried in place, and the cooled key is skipped").hasSize(1);
        assertThat(b.requests()).hasSize(2);
    }

    @Test
    void serverErrorOnceIsRetriedOnTheSameUpstream() {
        a.script(MODEL, KEY_A, Reply.error(500, "server_error", null, "boom"), Reply.ok("second time lucky"));
        gatewayOver(a.baseUrl());

        assertThat(completionText(gateway)).isEqualTo("second time lucky");
        assertThat(a.requestsWithKey(KEY_A)).hasSize(2);
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void refusedConnectionFailsOver() throws IOException {
        int closedPort;
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        b.defaultReply(Reply.ok("from b"));
        gatewayOver("http://127.0.0.1:" + closedPort + "/v1");

        assertThat(completionText(gateway)).isEqualTo("from b");
        assertThat(streamedText(gateway)).isEqualTo("from b");
    }

    @Test
    void resetConnectionIsRetriedInPlaceOnceThenFailsOver() {
        a.script(MODEL, KEY_A, Reply.resetBeforeHeaders(), Reply.resetBeforeHeaders());
        b.defaultReply(Reply.ok("from b"));
        gatewayOver(a.baseUrl());

        assertThat(completionText(gateway)).isEqualTo("from b");
        assertThat(a.requests()).hasSize(2);
    }

    @Test
    void emptyCompletionFailsOverNonStreamAndStream() {
        a.defaultReply(Reply.emptyCompletion());
        b.defaultReply(Reply.ok("real words"));
        gatewayOver(a.baseUrl());

        assertThat(completionText(gateway)).isEqualTo("real words");
        assertThat(streamedText(gateway)).isEqualTo("real words");
        assertThat(a.requests()).as("an empty answer is not retried in place").hasSize(2);
    }

    @Test
    void contextLengthExceededIsReturnedAtOnceWithoutRetry() {
        a.defaultReply(Reply.contextLengthExceeded());
        gatewayOver(a.baseUrl());

        assertThatThrownBy(() -> completionText(gateway))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.code()).contains("context_length_exceeded");
                });
        assertThat(a.requests()).hasSize(1);
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void contentPolicyRejectionIsReturnedAtOnceWithoutRetry() {
        a.defaultReply(Reply.contentPolicyViolation());
        gatewayOver(a.baseUrl());

        var response = gateway.chat(MODEL, true);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("content_policy_violation");
        assertThat(a.requests()).hasSize(1);
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void everyCandidateFailingReturnsTheLastUpstreamResponseVerbatim() {
        String lastBody = "{\"error\":{\"message\":\"b is overloaded\",\"type\":\"server_error\",\"param\":null,"
                + "\"code\":\"b_overloaded\"}}";
        a.defaultReply(Reply.error(503, "server_error", "a_overloaded", "a is overloaded"));
        b.defaultReply(Reply.status(503, lastBody));
        gatewayOver(a.baseUrl());

        var response = gateway.chat(MODEL, false);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo(lastBody);
        assertThat(a.requests()).as("one in-place retry each").hasSize(2);
        assertThat(b.requests()).hasSize(2);
    }

    @Test
    void allCredentialsCoolingGives503WithRetryAfter() {
        a.defaultReply(Reply.rateLimited(120));
        b.defaultReply(Reply.rateLimited(90));
        gatewayOver(a.baseUrl());

        var first = gateway.chat(MODEL, false);
        var second = gateway.chat(MODEL, false);

        assertThat(first.statusCode()).as("the last upstream answer, verbatim").isEqualTo(429);
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.body()).contains("\"type\":\"api_error\"").contains("upstreams_cooling_down");
        long retryAfter = Long.parseLong(second.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).as("seconds until b, the earliest, recovers").isBetween(85L, 90L);
        assertThat(a.requests()).hasSize(1);
        assertThat(b.requests()).hasSize(1);
    }

    @Test
    void silentUpstreamIsAbandonedAtTheFirstOutputTimeoutAndNotRetriedInPlace() throws InterruptedException {
        a.defaultReply(Reply.noAnswer());
        b.defaultReply(Reply.ok("from b"));
        gatewayOver(a.baseUrl());

        assertThat(completionText(gateway)).isEqualTo("from b");
        assertThat(a.requests()).hasSize(1);
        assertThat(a.awaitClientDisconnect(java.time.Duration.ofSeconds(5)))
                .as("the gateway hung up on the silent upstream").isTrue();
    }

    @Test
    void streamCutAfterOutputEndsWithAnErrorEventNotACleanFinish() {
        a.defaultReply(Reply.streamCutAfter(2, "one two three four"));
        gatewayOver(a.baseUrl());
        b.clearRequests();

        var received = new ArrayList<String>();
        assertThatThrownBy(() -> {
            try (var stream = gateway.sdk().chat().completions().createStreaming(params())) {
                stream.stream().flatMap(c -> c.choices().stream())
                        .forEach(choice -> choice.delta().content().ifPresent(received::add));
            }
        }).isInstanceOf(SseException.class);
        assertThat(String.join("", received)).isEqualTo("one two ");
        assertThat(b.requests()).as("a committed stream is never replayed").isEmpty();
        assertThat(logs.all()).contains("stream via a/key-1 broke after output", "cooling 10 s");

        // The break counts against a (issue: five requests in a row went to the broken upstream): the next request
        // goes to b, the healthy one, until a's cooldown ends.
        b.defaultReply(Reply.ok("b is healthy"));
        assertThat(streamedText(gateway)).isEqualTo("b is healthy");
        assertThat(a.requests()).hasSize(1);
    }

    @Test
    void theRawBytesOfAStreamCutAfterOutputEndWithAnErrorEventAndDone() throws Exception {
        a.defaultReply(Reply.streamCutAfter(2, "one two three four"));
        gatewayOver(a.baseUrl());

        var raw = gateway.chat(MODEL, true);

        assertThat(raw.body()).contains("\"error\"").endsWith("data: [DONE]\n\n").doesNotContain("\"stop\"");
        assertThat(raw.headers().firstValue("x-token-proxy-upstream")).contains("a/key-1");
        assertThat(logs.awaitContaining("stream broke after output", Duration.ofSeconds(10))).isNotEmpty();
    }

    @Test
    void streamFailingBeforeOutputFailsOverInvisibly() {
        a.script(MODEL, KEY_A, Reply.errorEventBeforeOutput(), Reply.malformedChunk());
        b.defaultReply(Reply.ok("clean answer"));
        gatewayOver(a.baseUrl());

        assertThat(streamedText(gateway)).isEqualTo("clean answer");
        assertThat(a.requests()).as("retried in place once, then failed over").hasSize(2);
    }

    @Test
    void upstreamWithAnUntrustedCertificateFailsOver() {
        try (var impostor = FakeOpenAiUpstream.startTls(TestTls.untrustedCert())) {
            impostor.defaultReply(Reply.ok("must never be read"));
            b.defaultReply(Reply.ok("from b"));
            gatewayOver(impostor.baseUrl());

            assertThat(completionText(gateway)).isEqualTo("from b");
            assertThat(impostor.requests()).as("no request is sent over an unverified connection").isEmpty();
        }
    }

    @Test
    void streamEndingWithoutDoneIsFinishedWithDone() {
        a.defaultReply(Reply.noDone("complete answer"));
        gatewayOver(a.baseUrl());

        var raw = gateway.chat(MODEL, true);

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).contains("\"finish_reason\":\"stop\"").doesNotContain("\"error\"")
                .endsWith("data: [DONE]\n\n");
        assertThat(streamedText(gateway)).isEqualTo("complete answer");
    }

    @Test
    void wrongOrMissingLocalKeyGives401AndNoUpstreamCall() {
        gatewayOver(a.baseUrl());

        assertThatThrownBy(() -> gateway.sdk("not-the-key").chat().completions().create(params()))
                .isInstanceOf(UnauthorizedException.class);
        var missing = gateway.post("/v1/chat/completions", GatewayUnderTest.chatBody(MODEL, false), null);

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).contains("invalid_api_key");
        assertThat(a.requests()).isEmpty();
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void oversizedAndMalformedBodiesAreRejectedWithoutUpstreamCall() {
        gatewayOver(a.baseUrl());
        String big = GatewayUnderTest.chatBody(MODEL, false).replace("Say hello", "x".repeat(5000));

        var tooLarge = gateway.post("/v1/chat/completions", big, GatewayUnderTest.LOCAL_KEY);
        var malformed = gateway.post("/v1/chat/completions", "{\"model\": \"gpt", GatewayUnderTest.LOCAL_KEY);

        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("\"type\":\"invalid_request_error\"");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("invalid_json");
        assertThat(a.requests()).isEmpty();
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void upstreamKeysNeverAppearInLogsEvenWhenUpstreamsFail() {
        a.defaultReply(Reply.error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided"));
        b.defaultReply(Reply.error(500, "server_error", null, "down"));
        gatewayOver(a.baseUrl());

        var response = gateway.chat(MODEL, false);

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(logs.all()).as("the failures were logged").contains("credential rejected").contains("server error");
        assertThat(logs.all()).doesNotContain(KEY_A).doesNotContain(KEY_B);
        assertThat(response.body()).doesNotContain(KEY_A).doesNotContain(KEY_B);
    }

    @Test
    void modelsListTheConfiguredModelsAndMappings() {
        gatewayOver(a.baseUrl(), """
                  - { id: c, provider: openai, base_url: "%s", api_keys: ["${KEY_B}"], models: [m-one],
                      model_mappings: { "m-one": "real-one", "m-refused": "never" } }
                  - { id: d, provider: openai, base_url: "%s", api_keys: ["${KEY_B}"],
                      model_mappings: { "m-two": "real-two", "m-*": "real" } }
                """.formatted(b.baseUrl(), b.baseUrl()));

        List<String> ids = gateway.sdk().models().list().data().stream().map(m -> m.id()).toList();

        // Mapping targets are listed where the upstream admits them; "never" is refused by c's allow-list.
        assertThat(ids).containsExactly("m-one", "m-two", "real", "real-two");
    }
}
