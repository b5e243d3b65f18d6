package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user meets when something is misconfigured, through the running gateway with the official OpenAI SDK (its
 * own retries on, as users run it): errors that lead the right way and never keep the SDK asleep, and log lines and
 * headers that say what happened without a secret in them.
 */
class OperatorVisibilityEndToEndTest {

    private static final String GOOD_KEY = "sk-good-upstream-key-123";
    private static final String TYPO_KEY = "sk-mistyped-upstream-key-456";
    private static final String MODEL = "gpt-test";

    @TempDir
    Path folder;

    private final FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream healthy = FakeOpenAiUpstream.start();
    private LogCapture logs;
    private GatewayUnderTest gateway;

    @BeforeEach
    void captureLogs() {
        logs = new LogCapture();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        logs.close();
        upstream.close();
        healthy.close();
    }

    private void start(String upstreams) {
        gateway = GatewayUnderTest.start(folder, """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                timeouts: { connect_seconds: 2, first_output_seconds: 2, idle_seconds: 2 }
                upstreams:
                """ + upstreams.indent(2), Map.of("GOOD", GOOD_KEY, "TYPO", TYPO_KEY));
    }

    /** The SDK as users run it: its default retries on. */
    private com.openai.client.OpenAIClient sdkWithRetries() {
        return OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey(GatewayUnderTest.LOCAL_KEY)
                .maxRetries(2).timeout(Duration.ofSeconds(30)).build();
    }

    private static ChatCompletionCreateParams params() {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Say hello").build();
    }

    @Test
    void aMistypedUpstreamKeyIsA502NamingTheUpstreamThatTheSdkDoesNotRetry() {
        upstream.defaultReply(Reply.error(401, "invalid_request_error", "invalid_api_key",
                "Incorrect API key provided: sk-mist***-456"));
        start("""
                - { id: openai-main, provider: openai, base_url: "%s", api_keys: ["${TYPO}"] }
                """.formatted(upstream.baseUrl()));

        assertThatThrownBy(() -> sdkWithRetries().chat().completions().create(params()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).as("not the client's own 401").isEqualTo(502);
                    assertThat(e.getMessage()).contains("upstream 'openai-main' rejected the credential")
                            .doesNotContain(TYPO_KEY);
                    assertThat(e.headers().values("x-should-retry")).containsExactly("false");
                });
        assertThat(upstream.requests()).as("x-should-retry: false kept the SDK from retrying").hasSize(1);

        long started = System.nanoTime();
        var second = gateway.chat(MODEL, false);
        assertThatThrownBy(() -> sdkWithRetries().chat().completions().create(params()))
                .isInstanceOf(OpenAIServiceException.class);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.headers().firstValue("retry-after")).contains("300");
        assertThat(second.headers().firstValue("x-should-retry")).as("a 5-minute wait is not for an SDK to sleep")
                .contains("false");
        assertThat(tookMillis).as("the SDK did not obey Retry-After: 300").isLessThan(20_000);
        assertThat(logs.all()).contains("attempt 1 via openai-main/key-1 failed: credential rejected (HTTP 401), "
                + "cooling 300 s").doesNotContain(TYPO_KEY);
    }

    @Test
    void anUnknownHostIsItsOwnReasonAndIsNotResentInPlace() {
        healthy.defaultReply(Reply.ok("from the healthy one"));
        start("""
                - { id: typo, provider: openai, base_url: "http://no-such-upstream.invalid/v1", api_keys: ["${GOOD}"], priority: 10 }
                - { id: healthy, provider: openai, base_url: "%s", api_keys: ["${GOOD}"] }
                """.formatted(healthy.baseUrl()));

        var response = gateway.chat(MODEL, false);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-token-proxy-upstream")).contains("healthy/key-1");
        assertThat(response.headers().firstValue("x-token-proxy-attempts")).contains("2");
        assertThat(logs.all()).contains("attempt 1 via typo/key-1 failed: unknown host (no complete HTTP answer)")
                .doesNotContain("attempt 2 via typo/key-1");
    }

    @Test
    void aBodyCutShortAfterItsHeadIsLoggedAsAnIncompleteAnswer() {
        upstream.defaultReply(Reply.streamCutAfter(1, "never finished"));
        healthy.defaultReply(Reply.ok("from the healthy one"));
        start("""
                - { id: cut, provider: openai, base_url: "%s", api_keys: ["${GOOD}"], priority: 10 }
                - { id: healthy, provider: openai, base_url: "%s", api_keys: ["${GOOD}"] }
                """.formatted(upstream.baseUrl(), healthy.baseUrl()));

        var response = gateway.chat(MODEL, false);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-token-proxy-upstream")).contains("healthy/key-1");
        // The head (200) arrived, the body did not: "no HTTP answer" would send an operator looking for a dead host.
        assertThat(logs.all()).contains("attempt 1 via cut/key-1 failed: connection reset (no complete HTTP answer)");
    }

    @Test
    void aServedRequestHasOneLogLineAndHeadersNamingTheUpstreamWithoutASecret() {
        upstream.defaultReply(Reply.status(500, "{\"error\":{\"message\":\"down\",\"type\":\"server_error\"}}"));
        healthy.defaultReply(Reply.ok("hello"));
        start("""
                - { id: first, provider: openai, base_url: "%s", api_keys: ["${GOOD}"], priority: 10 }
                - { id: second, provider: openai, base_url: "%s", api_keys: ["${GOOD}"], model_mappings: { "gpt-test": "gpt-4.1" } }
                """.formatted(upstream.baseUrl(), healthy.baseUrl()));

        var response = gateway.chat(MODEL, false);

        assertThat(response.headers().firstValue("x-token-proxy-upstream")).contains("second/key-1");
        assertThat(response.headers().firstValue("x-token-proxy-attempts")).contains("3");
        String id = response.headers().firstValue("x-request-id").orElseThrow();
        assertThat(logs.all()).contains("request " + id + ": attempt 1 via first/key-1 failed: server error "
                        + "(HTTP 500), cooling 10 s")
                .containsPattern("request " + id + ": POST /v1/chat/completions model gpt-test → gpt-4.1 via "
                        + "second/key-1, 3 attempts, 200, tokens \\d+ in / \\d+ out, \\d+ ms")
                .doesNotContain(GOOD_KEY);
        assertThat(response.headers().map().toString()).doesNotContain(GOOD_KEY);
    }

    @Test
    void aFailureAfterAllCandidatesNeverLooksLikeTheClientsAuthFailure() {
        upstream.defaultReply(Reply.error(403, "permission_error", null, "Project not allowed"));
        start("""
                - { id: org-proj, provider: openai, base_url: "%s", api_keys: ["${GOOD}"] }
                """.formatted(upstream.baseUrl()));

        assertThatThrownBy(() -> gateway.sdk().chat().completions().create(params()))
                .isInstanceOfSatisfying(InternalServerException.class, e ->
                        assertThat(e.getMessage()).contains("org-proj"));
    }
}
