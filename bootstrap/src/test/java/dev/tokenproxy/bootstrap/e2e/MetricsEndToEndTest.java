package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} through the running gateway between raw HTTP clients and fake upstreams: the scrape parses as
 * Prometheus text, its counters move as each scenario says, no secret is in it, and clients cannot grow its series.
 */
class MetricsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "gpt-test";
    private static final String KEY_A = "sk-upstream-a-secret-0001";
    private static final String KEY_B = "sk-upstream-b-secret-0002";

    @TempDir
    Path folder;

    private final FakeOpenAiUpstream a = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream b = FakeOpenAiUpstream.start();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final LogCapture logs = new LogCapture();
    private GatewayUnderTest gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        a.close();
        b.close();
        logs.close();
    }

    private void start(String extra) {
        gateway = GatewayUnderTest.start(folder, """
                listen: { host: 127.0.0.1, port: 0 }
                data_dir: "%s"
                local_api_keys:
                  - { name: tests, key: "${TP_KEY}" }
                  - { name: scoped, key: "scoped-local-key", upstreams: [a] }
                timeouts: { connect_seconds: 2, first_output_seconds: 2, idle_seconds: 5 }
                upstreams:
                  - { id: a, provider: openai, base_url: "%s", api_keys: ["${KEY_A}"], priority: 20, models: [%s] }
                  - { id: b, provider: openai, base_url: "%s", api_keys: ["${KEY_B}"], priority: 10, models: [%s] }
                %s
                """.formatted(folder.resolve("data"), a.baseUrl(), MODEL, b.baseUrl(), MODEL, extra),
                Map.of("KEY_A", KEY_A, "KEY_B", KEY_B));
    }

    @Test
    void aRequestThatFailedOverOnceCountsTwoAttemptsOneRequestAndTheUpstreamsTokens() {
        a.defaultReply(Reply.rateLimited(30));
        b.defaultReply(Reply.ok("one two three four five"));
        start("");

        var answer = gateway.chat(MODEL, false);
        assertThat(answer.statusCode()).isEqualTo(200);
        var usage = parse(answer.body()).path("usage");

        var scrape = scrape();
        assertThat(scrape.sum("token_proxy_requests_total", "format", "chat", "status", "200", "status_class", "2xx",
                "model", MODEL)).isEqualTo(1);
        assertThat(scrape.sum("token_proxy_requests_total")).isEqualTo(1);
        assertThat(scrape.sum("token_proxy_attempts_total", "upstream", "a", "outcome", "retryable")).isEqualTo(1);
        assertThat(scrape.sum("token_proxy_attempts_total", "upstream", "b", "outcome", "success")).isEqualTo(1);
        assertThat(scrape.sum("token_proxy_attempts_total")).isEqualTo(2);
        assertThat(scrape.sum("token_proxy_failovers_total", "upstream", "a")).isEqualTo(1);
        assertThat(scrape.sum("token_proxy_failovers_total")).isEqualTo(1);
        assertThat(scrape.sum("gen_ai_client_token_usage_sum", "gen_ai_token_type", "input", "upstream", "b"))
                .isEqualTo(usage.path("prompt_tokens").asDouble()).isPositive();
        assertThat(scrape.sum("gen_ai_client_token_usage_sum", "gen_ai_token_type", "output", "upstream", "b"))
                .isEqualTo(usage.path("completion_tokens").asDouble()).isPositive();
        assertThat(scrape.sum("gen_ai_client_operation_duration_seconds_count", "upstream", "b")).isEqualTo(1);
        assertThat(scrape.sum("token_proxy_attempt_first_output_seconds_count", "upstream", "b")).isEqualTo(1);
        // The 429 cooled a's only key; b's success left b's alone.
        assertThat(scrape.sum("token_proxy_cooldowns_active", "upstream", "a")).isEqualTo(1);
        assertThat(scrape.sum("token_proxy_cooldowns_active", "upstream", "b")).isZero();
        assertThat(scrape.sum("token_proxy_accounts_needing_login")).isZero();
        awaitLog("via b/key-1, 2 attempts, 200, tokens " + usage.path("prompt_tokens").asLong() + " in / "
                + usage.path("completion_tokens").asLong() + " out, ");
    }

    @Test
    void aStreamsTokensAreCountedWhenItEnds() {
        a.defaultReply(Reply.ok("alpha beta gamma"));
        start("");

        var streamed = gateway.post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                GatewayUnderTest.LOCAL_KEY);
        assertThat(streamed.statusCode()).isEqualTo(200);
        var usage = lastUsage(streamed.body());

        var scrape = awaitScrape(s -> s.sum("token_proxy_requests_total", "status", "200") == 1);
        assertThat(scrape.sum("gen_ai_client_token_usage_sum", "gen_ai_token_type", "input"))
                .isEqualTo(usage.path("prompt_tokens").asDouble()).isPositive();
        assertThat(scrape.sum("gen_ai_client_token_usage_sum", "gen_ai_token_type", "output"))
                .isEqualTo(usage.path("completion_tokens").asDouble()).isPositive();
        assertThat(scrape.sum("token_proxy_attempts_total", "upstream", "a", "outcome", "success")).isEqualTo(1);
        awaitLog("(stream) via a/key-1, 1 attempt, 200, tokens " + usage.path("prompt_tokens").asLong() + " in / "
                + usage.path("completion_tokens").asLong() + " out, ");
    }

    @Test
    void aModelNameTheConfigurationDoesNotListCreatesNoSeries() {
        a.defaultReply(Reply.ok("hello"));
        start("");
        gateway.chat("made-up-" + UUID.randomUUID(), false);
        var before = scrape();

        String other = "made-up-" + UUID.randomUUID();
        var refused = gateway.chat(other, false);

        assertThat(refused.statusCode()).isEqualTo(404);
        var after = scrapeText();
        assertThat(after).doesNotContain("made-up-");
        var parsed = PrometheusText.parse(after);
        assertThat(parsed.samples()).hasSameSizeAs(before.samples());
        assertThat(parsed.sum("token_proxy_requests_total", "status", "404", "model", "other")).isEqualTo(2);
    }

    @Test
    void theScrapeNeedsAnUnscopedLocalKeyAndHoldsNoSecret() {
        a.defaultReply(Reply.ok("hello"));
        start("");
        gateway.chat(MODEL, false);

        assertThat(get("/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "wrong-key").statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "scoped-local-key").statusCode()).isEqualTo(403);
        var scrape = get("/metrics", GatewayUnderTest.LOCAL_KEY);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("content-type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/plain").contains("version=0.0.4"));
        for (String secret : new String[] {KEY_A, KEY_B, GatewayUnderTest.LOCAL_KEY, "scoped-local-key"}) {
            assertThat(scrape.body()).doesNotContain(secret);
        }
    }

    @Test
    void switchedOffThereIsNoMetricsEndpoint() {
        start("metrics: { enabled: false }");

        assertThat(get("/metrics", GatewayUnderTest.LOCAL_KEY).statusCode()).isEqualTo(404);
        assertThat(gateway.chat(MODEL, false).statusCode()).isEqualTo(200);
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private PrometheusText scrape() {
        return PrometheusText.parse(scrapeText());
    }

    private String scrapeText() {
        var response = get("/metrics", GatewayUnderTest.LOCAL_KEY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    /**
     * A delivered stream is counted when the server closes it, which may be just after the client read its end; from
     * outside the process there is nothing to wait on but the scrape itself.
     */
    private PrometheusText awaitScrape(Predicate<PrometheusText> ready) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        PrometheusText scrape;
        do {
            scrape = scrape();
            if (ready.test(scrape)) {
                return scrape;
            }
            pause();
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the scrape did not show it in time: " + scrape.samples());
    }

    /** The request line is written after the last byte went out: the client may have read it first. */
    private void awaitLog(String text) {
        try {
            logs.awaitContaining(text, Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for a log line", e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path, String localKey) {
        var request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10));
        if (localKey != null) {
            request.header("Authorization", "Bearer " + localKey);
        }
        try {
            return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode lastUsage(String sse) {
        JsonNode usage = null;
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                var event = parse(line.substring("data: ".length()));
                if (event.hasNonNull("usage")) {
                    usage = event.get("usage");
                }
            }
        }
        assertThat(usage).as("a usage event in " + sse).isNotNull();
        return usage;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
