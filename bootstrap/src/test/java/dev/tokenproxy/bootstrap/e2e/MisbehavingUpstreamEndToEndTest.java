package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstreams that break HTTP, through the running gateway and the official OpenAI SDK: a client never receives
 * another client's answer, an oversized body is a clean failure of that attempt, and interim responses are skipped.
 * Two upstream ids point at the same fake host, so they share pooled connections.
 */
class MisbehavingUpstreamEndToEndTest {

    private static final String ANY = FakeOpenAiUpstream.ANY;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    private final FakeOpenAiUpstream host = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream backup = FakeOpenAiUpstream.start();
    private GatewayUnderTest gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        host.close();
        backup.close();
    }

    private void startGateway(String extra) {
        String yaml = """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                timeouts: { connect_seconds: 2, first_output_seconds: 5, idle_seconds: 5 }
                routing: { same_upstream_retries: 0 }
                upstreams:
                  - { id: first, provider: openai, base_url: "%s", api_keys: ["k1"], models: [first-1, first-2, first-4, first-6, first-big, first-x] }
                  - { id: second, provider: openai, base_url: "%s", api_keys: ["k2"], models: [second-3, second-5, second-7] }
                  - { id: backup, provider: openai, base_url: "%s", api_keys: ["k3"] }
                %s""".formatted(host.baseUrl(), host.baseUrl(), backup.baseUrl(), extra);
        gateway = GatewayUnderTest.start(folder, yaml, Map.of());
    }

    private String ask(String model) {
        var params = ChatCompletionCreateParams.builder().model(model).addUserMessage("hi").build();
        return gateway.sdk().chat().completions().create(params).choices().get(0).message().content().orElse("");
    }

    @Test
    void everyClientGetsItsOwnAnswerWhenTheUpstreamWritesStrayResponses() throws Exception {
        var strayWritten = new CountDownLatch(1);
        host.script("first-1", ANY, Reply.thenStrayResponse(Reply.ok("answer one"), Duration.ZERO, "stray one"));
        host.script("first-2", ANY, Reply.thenStrayResponse(Reply.ok("answer two"), Duration.ofMillis(100),
                "stray two").onFinished(strayWritten::countDown));
        startGateway("");

        assertThat(ask("first-1")).isEqualTo("answer one");
        assertThat(ask("first-2")).isEqualTo("answer two");
        assertThat(strayWritten.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 3; i <= 7; i++) {
            String upstream = i % 2 == 0 ? "first-" : "second-";
            host.script(upstream + i, ANY, Reply.ok("answer " + i));
            assertThat(ask(upstream + i)).isEqualTo("answer " + i);
        }
        assertThat(host.requests()).hasSize(7);
    }

    /**
     * A key pasted with its line break would end the Authorization field and start one of the key's choosing: the
     * request is refused before it is written, and the pool's next key serves.
     */
    @Test
    void aKeyWithALineBreakIsNeverSentAndTheNextKeyServes() {
        host.defaultReply(Reply.ok("from the clean key"));
        String yaml = """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                routing: { same_upstream_retries: 0 }
                upstreams:
                  - { id: first, provider: openai, base_url: "%s", api_keys: ["${BROKEN_KEY}", "k-clean"] }
                """.formatted(host.baseUrl());
        gateway = GatewayUnderTest.start(folder, yaml, Map.of("BROKEN_KEY", "k-broken\r\nX-Injected: yes"));

        assertThat(ask("gpt-4o")).isEqualTo("from the clean key");
        assertThat(host.requests()).singleElement().satisfies(request -> {
            assertThat(request.header("authorization")).isEqualTo("Bearer k-clean");
            assertThat(request.header("x-injected")).isNull();
        });
    }

    @Test
    void aBodyOverTheBufferingCapFailsOverToTheNextUpstream() {
        host.defaultReply(Reply.hugeBody(2L * 1024 * 1024 * 1024));
        backup.defaultReply(Reply.ok("from backup"));
        startGateway("limits: { max_upstream_body_bytes: 1048576 }");

        assertThat(ask("first-big")).isEqualTo("from backup");
    }

    @Test
    void aBodyOverTheBufferingCapIsACleanBadGatewayWhenNothingElseCanServe() {
        host.defaultReply(Reply.hugeBody(2L * 1024 * 1024 * 1024));
        startGateway("limits: { max_upstream_body_bytes: 1048576 }");

        var response = gateway.post("/v1/chat/completions",
                "{\"model\":\"first/first-big\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                GatewayUnderTest.LOCAL_KEY);

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("\"error\"");
    }

    /**
     * A chunked body declares no length, so the cap is met while reading. The attempt's connection is dropped: the
     * next request to that host opens a fresh one and gets its own answer, not the rest of the 2 GiB. It goes to the
     * other upstream id on the host (same pool) because {@code first} now cools after its broken exchange.
     */
    @Test
    void aChunkedBodyOverTheBufferingCapIsABadGatewayAndTheNextRequestGetsAFreshConnection() throws Exception {
        host.script("first-big", ANY, Reply.hugeChunkedBody(2L * 1024 * 1024 * 1024));
        host.script("second-3", ANY, Reply.ok("answer three"));
        startGateway("limits: { max_upstream_body_bytes: 1048576 }");

        var response = gateway.post("/v1/chat/completions",
                "{\"model\":\"first/first-big\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                GatewayUnderTest.LOCAL_KEY);

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        var error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("api_error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_unavailable");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.has("param")).isTrue();
        assertThat(host.awaitClientDisconnect(Duration.ofSeconds(10)))
                .as("the gateway left before the 2 GiB were written").isTrue();

        assertThat(ask("second-3")).isEqualTo("answer three");
        assertThat(host.acceptedConnections()).isEqualTo(2);
        assertThat(backup.requests()).isEmpty();
    }

    @Test
    void streamsThatEndCleanlyShareOneUpstreamConnection() {
        host.defaultReply(Reply.ok("one streamed answer"));
        startGateway("");
        var params = ChatCompletionCreateParams.builder().model("first-x").addUserMessage("hi").build();

        for (int i = 0; i < 20; i++) {
            try (var stream = gateway.sdk().chat().completions().createStreaming(params)) {
                String text = stream.stream().flatMap(chunk -> chunk.choices().stream())
                        .map(choice -> choice.delta().content().orElse("")).reduce("", String::concat);
                assertThat(text).isEqualTo("one streamed answer");
            }
        }

        assertThat(host.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void concurrentLargeRequestsBeyondTheMemoryBudgetGet503NotAnOutOfMemoryError() throws Exception {
        host.defaultReply(Reply.slowFirstToken(Duration.ofMillis(300), "took a while"));
        startGateway("max_request_body_bytes: 1048576\nlimits: { max_in_flight_bytes: 4194304 }");
        String big = "{\"model\":\"first-x\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(900 * 1024) + "\"}]}";

        var statuses = new java.util.concurrent.ConcurrentLinkedQueue<Integer>();
        var retryAfters = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        try (var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 12; i++) {
                clients.submit(() -> {
                    var response = gateway.post("/v1/chat/completions", big, GatewayUnderTest.LOCAL_KEY);
                    statuses.add(response.statusCode());
                    if (response.statusCode() == 503) {
                        retryAfters.add(response.headers().firstValue("retry-after").orElse("none"));
                    }
                });
            }
        }

        // 4 MiB hold two 900 KiB bodies (each counted twice): while they wait for the slow upstream, others get 503.
        assertThat(statuses).hasSize(12).containsOnly(200, 503).contains(200, 503);
        assertThat(retryAfters).containsOnly("1");
    }

    @Test
    void interimResponsesBeforeTheAnswerAreSkipped() {
        host.defaultReply(Reply.interimThen(103, Reply.ok("after early hints")));
        startGateway("");

        assertThat(ask("first-x")).isEqualTo("after early hints");
        assertThat(backup.requests()).isEmpty();
    }

    @Test
    void anImpossibleStatusIsAFailureOfThatUpstream() {
        host.defaultReply(Reply.rawStatusLine("HTTP/1.1 999 Odd", "{}"));
        backup.defaultReply(Reply.ok("from backup"));
        startGateway("");

        assertThat(ask("first-x")).isEqualTo("from backup");
    }
}
