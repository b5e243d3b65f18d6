package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenproxy.bootstrap.Gateway;
import dev.tokenproxy.bootstrap.config.ConfigLoader;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.FakeResponsesUpstream;
import dev.tokenproxy.testing.Reply;
import dev.tokenproxy.testing.ResponsesReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attempt records and the admin API through the running gateway, between raw HTTP clients and fake upstreams: what
 * is recorded per attempt, what is billed, what survives a restart, and what the operator can see and change.
 */
class RecordsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "gpt-test";
    private static final String KEY_A = "sk-upstream-a-secret-0001";
    private static final String KEY_B = "sk-upstream-b-secret-0002";
    private static final String KEY_C = "sk-upstream-c-secret-0003";
    private static final String KEY_R = "sk-upstream-r-secret-0004";

    @TempDir
    Path folder;

    private final FakeOpenAiUpstream a = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream b = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream c = FakeOpenAiUpstream.start();
    private final FakeResponsesUpstream r = FakeResponsesUpstream.start();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> adminBodies = new ArrayList<>();
    private LogCapture logs = new LogCapture();
    private GatewayUnderTest gateway;

    @AfterEach
    void stopAndCheckNoSecretWasShown() {
        if (gateway != null) {
            gateway.close();
        }
        a.close();
        b.close();
        c.close();
        r.close();
        logs.close();
        for (String secret : List.of(KEY_A, KEY_B, KEY_C, KEY_R, GatewayUnderTest.LOCAL_KEY)) {
            assertThat(adminBodies).noneMatch(body -> body.contains(secret));
            assertThat(logs.all()).doesNotContain(secret);
        }
    }

    private String yaml() {
        return """
                listen: { host: 127.0.0.1, port: 0 }
                data_dir: "%s"
                local_api_keys:
                  - { name: tests, key: "${TP_KEY}" }
                  - { name: scoped, key: "scoped-local-key", upstreams: [a] }
                timeouts: { connect_seconds: 2, first_output_seconds: 2, idle_seconds: 5 }
                upstreams:
                  - { id: a, provider: openai, base_url: "%s", api_keys: ["${KEY_A}"], priority: 30, models: [%s] }
                  - { id: b, provider: openai, base_url: "%s", api_keys: ["${KEY_B}"], priority: 20, models: [%s] }
                  - { id: c, provider: openai, base_url: "%s", api_keys: ["${KEY_C}"], priority: 10, models: [%s] }
                  - { id: r, provider: openai_responses, base_url: "%s", api_keys: ["${KEY_R}"] }
                """.formatted(folder.resolve("data"), a.baseUrl(), MODEL, b.baseUrl(), MODEL, c.baseUrl(), MODEL,
                r.baseUrl());
    }

    private GatewayUnderTest start() {
        gateway = GatewayUnderTest.start(folder, yaml(),
                Map.of("KEY_A", KEY_A, "KEY_B", KEY_B, "KEY_C", KEY_C, "KEY_R", KEY_R));
        return gateway;
    }

    @Test
    void aRequestThatFailedOverTwiceHasThreeAttemptRecordsInCompletionOrderAndOneBillable() {
        a.defaultReply(Reply.rateLimited(30));
        b.defaultReply(Reply.error(403, "invalid_request_error", "account_deactivated", "no"));
        c.defaultReply(Reply.ok("Hello there friend"));
        start();

        var answer = gateway.chat(MODEL, false);
        assertThat(answer.statusCode()).isEqualTo(200);
        String id = answer.headers().firstValue("x-request-id").orElseThrow();

        var attempts = awaitAdmin("/admin/requests/" + id, body -> body.path("attempts").size() == 3)
                .path("attempts");
        assertThat(texts(attempts, "upstream")).containsExactly("a", "b", "c");
        assertThat(texts(attempts, "outcome")).containsExactly("retryable", "retryable", "success");
        assertThat(texts(attempts, "reason")).containsExactly("rate limited", "credential rejected", "null");
        assertThat(texts(attempts, "billable")).containsExactly("false", "false", "true");
        assertThat(attempts.get(2).path("usage").path("input_tokens").asLong())
                .isEqualTo(usageOf(answer.body()).path("prompt_tokens").asLong());
    }

    @Test
    void usageTotalsEqualWhatTheUpstreamsReportedForChatAndResponsesStreamedOrNot() throws IOException {
        a.defaultReply(Reply.ok("one two three four five"));
        r.defaultReply(ResponsesReply.ok("alpha beta gamma").withUsage(new ResponsesReply.Usage(40, 16, 9, 4)));
        start();

        var chatWhole = usageOf(gateway.chat(MODEL, false).body());
        var chatStreamed = lastUsageEvent(gateway.post("/v1/chat/completions", "{\"model\":\"" + MODEL
                + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", GatewayUnderTest.LOCAL_KEY).body());
        var responsesWhole = usageOf(gateway.post("/v1/responses", "{\"model\":\"o-test\",\"input\":\"hi\"}",
                GatewayUnderTest.LOCAL_KEY).body());
        var responsesStreamed = lastUsageEvent(gateway.post("/v1/responses",
                "{\"model\":\"o-test\",\"input\":\"hi\",\"stream\":true}", GatewayUnderTest.LOCAL_KEY).body());

        var totals = awaitAdmin("/admin/usage?by=upstream", body -> sum(body, "requests") == 4).path("data");
        var chat = group(totals, "a");
        assertThat(chat.path("input_tokens").asLong()).isEqualTo(chatWhole.path("prompt_tokens").asLong()
                + chatStreamed.path("prompt_tokens").asLong());
        assertThat(chat.path("output_tokens").asLong()).isEqualTo(chatWhole.path("completion_tokens").asLong()
                + chatStreamed.path("completion_tokens").asLong());
        var responses = group(totals, "r");
        assertThat(responses.path("input_tokens").asLong()).isEqualTo(80).isEqualTo(
                responsesWhole.path("input_tokens").asLong() + responsesStreamed.path("input_tokens").asLong());
        assertThat(responses.path("cached_input_tokens").asLong()).isEqualTo(32);
        assertThat(responses.path("output_tokens").asLong()).isEqualTo(18);
        assertThat(responses.path("reasoning_tokens").asLong()).isEqualTo(8);
    }

    @Test
    void aClientThatLeavesMidStreamIsRecordedAs499() throws Exception {
        // Long enough that the gateway is still writing when the client hangs up: the socket buffers cannot hold it.
        a.defaultReply(Reply.ok("word ".repeat(40_000).strip()));
        start();

        var request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + GatewayUnderTest.LOCAL_KEY)
                .header("x-request-id", "leaving-client")
                .POST(HttpRequest.BodyPublishers.ofString(GatewayUnderTest.chatBody(MODEL, true))).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertThat(body.readNBytes(64)).hasSize(64);
        }

        var attempts = awaitAdmin("/admin/requests/leaving-client", body -> body.path("attempts").size() == 1)
                .path("attempts");
        assertThat(attempts.get(0).path("status").asInt()).isEqualTo(499);
        assertThat(attempts.get(0).path("outcome").asText()).isEqualTo("client_cancelled");
        assertThat(attempts.get(0).path("billable").asBoolean()).isTrue();
    }

    @Test
    void deletingACooldownMakesTheCredentialUsableAtOnce() {
        a.script(MODEL, KEY_A, Reply.rateLimited(600));
        a.defaultReply(Reply.ok("from a"));
        b.defaultReply(Reply.ok("from b"));
        start();

        gateway.chat(MODEL, false);
        var cooling = admin("/admin/cooldowns").path("data");
        assertThat(texts(cooling, "key")).containsExactly("a/key-1");
        assertThat(cooling.get(0).path("seconds_left").asLong()).isBetween(590L, 600L);

        var cleared = adminRequest("DELETE", "/admin/cooldowns/a/key-1", GatewayUnderTest.LOCAL_KEY);
        assertThat(cleared.statusCode()).isEqualTo(200);
        assertThat(admin("/admin/cooldowns").path("data").size()).isZero();

        assertThat(gateway.chat(MODEL, false).body()).contains("from a");
    }

    @Test
    void adminAnswers401WithoutAKey403ForAScopedKeyAndNeverShowsASecret() {
        a.defaultReply(Reply.ok("hello"));
        start();
        gateway.chat(MODEL, false);
        gateway.post("/v1/chat/completions", "{not json", GatewayUnderTest.LOCAL_KEY);

        for (String path : List.of("/admin/requests", "/admin/usage", "/admin/upstreams", "/admin/accounts",
                "/admin/cooldowns")) {
            assertThat(adminRequest("GET", path, null).statusCode()).as(path).isEqualTo(401);
            assertThat(adminRequest("GET", path, "wrong-key").statusCode()).as(path).isEqualTo(401);
            assertThat(adminRequest("GET", path, "scoped-local-key").statusCode()).as(path).isEqualTo(403);
            assertThat(adminRequest("GET", path, GatewayUnderTest.LOCAL_KEY).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(adminRequest("DELETE", "/admin/cooldowns/a/key-1", null).statusCode()).isEqualTo(401);

        var upstreams = admin("/admin/upstreams").path("data");
        assertThat(texts(upstreams, "id")).containsExactly("a", "b", "c", "r");
        assertThat(upstreams.get(0).path("credentials").get(0).path("credential").asText()).isEqualTo("key-1");
        var refused = awaitAdmin("/admin/requests?status=400", body -> body.path("data").size() == 1).path("data");
        assertThat(refused.get(0).path("outcome").asText()).isEqualTo("refused");
        assertThat(refused.get(0).path("billable").asBoolean()).isFalse();
    }

    @Test
    void badReportParametersAre400sInTheApisOwnShape() {
        start();
        for (String query : List.of("/admin/usage?by=week", "/admin/usage?from=yesterday",
                "/admin/usage?from=-999999999-01-01T00:00:00Z", "/admin/requests?to=-999999999-01-01T00:00:00Z",
                "/admin/requests?limit=0")) {
            var answer = adminRequest("GET", query, GatewayUnderTest.LOCAL_KEY);
            assertThat(answer.statusCode()).as(query).isEqualTo(400);
            assertThat(answer.body()).as(query).contains("\"type\":\"invalid_request_error\"")
                    .contains("\"code\":\"invalid_parameter\"");
        }
    }

    @Test
    void recordsSurviveARestartOnTheSameDataDir() {
        a.defaultReply(Reply.ok("kept"));
        start();
        String id = gateway.chat(MODEL, false).headers().firstValue("x-request-id").orElseThrow();
        gateway.close();

        start();

        assertThat(admin("/admin/requests/" + id).path("attempts").size()).isEqualTo(1);
    }

    @Test
    void anUnwritableStoreRefusesTheStartWithAOneLineMessage() throws IOException {
        // A directory where the database file should be: no permission trick that root would ignore.
        Files.createDirectories(folder.resolve("data").resolve("records.db"));
        Path file = Files.writeString(folder.resolve("token-proxy.yaml"), yaml());
        var config = new ConfigLoader(Map.of("TP_KEY", "k", "KEY_A", KEY_A, "KEY_B", KEY_B, "KEY_C", KEY_C,
                "KEY_R", KEY_R)).loadFile(file);

        assertThatThrownBy(() -> Gateway.start(config))
                .isInstanceOf(Gateway.CannotStartException.class)
                .hasMessageStartingWith("cannot open the record store " + folder.resolve("data/records.db"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aStoreThatFailsAtRunTimeNeverFailsARequest() throws Exception {
        a.defaultReply(Reply.ok("still served"));
        start();
        gateway.chat(MODEL, false);
        awaitAdmin("/admin/requests", body -> body.path("data").size() == 1);

        // Another process holds the write lock: every write of the gateway fails once its busy timeout passes.
        try (var other = DriverManager.getConnection("jdbc:sqlite:" + folder.resolve("data/records.db"));
             var lock = other.createStatement()) {
            lock.execute("BEGIN EXCLUSIVE");
            for (int i = 0; i < 3; i++) {
                var answer = gateway.chat(MODEL, false);
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).contains("still served");
            }
            awaitLog("record store could not write");
            lock.execute("ROLLBACK");
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private JsonNode admin(String path) {
        var response = adminRequest("GET", path, GatewayUnderTest.LOCAL_KEY);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return parse(response.body());
    }

    /** Records are written off the request path: ask until they are there (or fail after a few seconds). */
    private JsonNode awaitAdmin(String path, Predicate<JsonNode> ready) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String body;
        do {
            // A request not written yet is a 404: not an answer yet.
            var response = adminRequest("GET", path, GatewayUnderTest.LOCAL_KEY);
            body = response.body();
            if (response.statusCode() == 200 && ready.test(parse(body))) {
                return parse(body);
            }
            pause();
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not ready in time: " + path + " answered " + body);
    }

    private void awaitLog(String text) {
        try {
            logs.awaitContaining(text, Duration.ofSeconds(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for a log line", e);
        }
    }

    /** Polling an asynchronous writer, which offers nothing to wait on from outside the process. */
    private static void pause() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> adminRequest(String method, String path, String key) {
        var request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            adminBodies.add(response.body());
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode usageOf(String body) {
        return parse(body).path("usage");
    }

    /** The usage the last SSE event that carried one reported (Chat usage chunk, Responses response.completed). */
    private static JsonNode lastUsageEvent(String sse) {
        JsonNode found = null;
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                var event = parse(line.substring(6));
                var usage = event.has("response") ? event.path("response").path("usage") : event.path("usage");
                if (usage.isObject()) {
                    found = usage;
                }
            }
        }
        assertThat(found).as("a usage event in " + sse).isNotNull();
        return found;
    }

    private static List<String> texts(JsonNode array, String field) {
        var list = new ArrayList<String>();
        array.forEach(item -> list.add(item.path(field).asText()));
        return list;
    }

    private static long sum(JsonNode body, String field) {
        long total = 0;
        for (var row : body.path("data")) {
            total += row.path(field).asLong();
        }
        return total;
    }

    private static JsonNode group(JsonNode rows, String name) {
        for (var row : rows) {
            if (row.path("group").asText().equals(name)) {
                return row;
            }
        }
        throw new AssertionError("no group " + name + " in " + rows);
    }
}
