package dev.tokenproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FakeOpenAiUpstreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeOpenAiUpstream fake;

    @AfterEach
    void closeFake() {
        if (fake != null) {
            fake.close();
        }
    }

    @Test
    void answersNonStreamRequestWithCompletionAndUsage() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.ok("Hi there"));

        HttpResponse<String> response = post("sk-1", chat("gpt-test", false));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValueAsLong("content-length")).hasValue(response.body().length());
        JsonNode completion = JSON.readTree(response.body());
        assertThat(completion.path("id").asText()).startsWith("chatcmpl-fake-");
        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.path("model").asText()).isEqualTo("gpt-test");
        assertThat(completion.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(completion.at("/choices/0/message/content").asText()).isEqualTo("Hi there");
        assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(completion.at("/usage/completion_tokens").asInt()).isEqualTo(2);
        assertThat(completion.at("/usage/total_tokens").asInt()).isEqualTo(7);
    }

    @Test
    void streamsRoleContentFinishUsageAndDoneWhenUsageIsRequested() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.ok("Hello from the fake"));

        HttpResponse<String> response = post("sk-1", streamingChat("gpt-test", true));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        List<String> events = dataOf(response.body());
        assertThat(events).last().isEqualTo("[DONE]");
        List<JsonNode> chunks = parse(events.subList(0, events.size() - 1));
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.path("model").asText()).isEqualTo("gpt-test");
        });
        assertThat(chunks).extracting(chunk -> chunk.path("id").asText()).containsOnly(chunks.get(0).path("id").asText());
        assertThat(chunks.get(0).at("/choices/0/delta").toString()).isEqualTo("{\"role\":\"assistant\",\"content\":\"\"}");
        assertThat(chunks.subList(1, 5)).extracting(chunk -> chunk.at("/choices/0/delta/content").asText())
                .containsExactly("Hello ", "from ", "the ", "fake");
        JsonNode finish = chunks.get(5);
        assertThat(finish.at("/choices/0/delta").toString()).isEqualTo("{}");
        assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = chunks.get(6);
        assertThat(usage.path("choices").isEmpty()).isTrue();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(4);
        assertThat(chunks).hasSize(7);
    }

    @Test
    void reportsTheGivenUsageWithCachedAndReasoningTokensInTheCompletionAndTheUsageChunk() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.ok("Hi there").withUsage(new Reply.Usage(40, 32, 25, 21)));

        JsonNode whole = JSON.readTree(post("sk-1", chat("gpt-test", false)).body()).path("usage");
        List<JsonNode> chunks = parse(dataOf(post("sk-1", streamingChat("gpt-test", true)).body()).stream()
                .filter(data -> !data.equals("[DONE]")).toList());

        assertThat(content(post("sk-1", chat("gpt-test", false)))).isEqualTo("Hi there");
        for (JsonNode usage : List.of(whole, chunks.getLast().path("usage"))) {
            assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(40);
            assertThat(usage.at("/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(32);
            assertThat(usage.path("completion_tokens").asInt()).isEqualTo(25);
            assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asInt()).isEqualTo(21);
            assertThat(usage.path("total_tokens").asInt()).isEqualTo(65);
        }
    }

    @Test
    void streamsWithoutUsageChunkUnlessRequested() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.ok("Hi"));

        List<String> events = dataOf(post("sk-1", chat("gpt-test", true)).body());

        assertThat(events).hasSize(4).last().isEqualTo("[DONE]");
        assertThat(events).noneMatch(event -> event.contains("\"usage\""));
    }

    @Test
    void sendsEachEventAsItsOwnChunk() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.ok("one two"));

        try (var socket = new Socket("127.0.0.1", fake.port())) {
            socket.getOutputStream().write(rawRequest(chat("gpt-test", true), "Connection: close").getBytes(StandardCharsets.UTF_8));
            var raw = new RawHttpResponse(socket.getInputStream());

            assertThat(raw.head()).contains("Transfer-Encoding: chunked", "Connection: close");
            List<String> chunks = raw.chunks();
            assertThat(chunks).hasSize(5).allMatch(chunk -> chunk.startsWith("data: ") && chunk.endsWith("\n\n"));
            assertThat(chunks).last().isEqualTo("data: [DONE]\n\n");
        }
    }

    @Test
    void servesSeveralRequestsOnOneConnectionAndReadsChunkedRequestBodies() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.ok("Hi"));
        String body = chat("gpt-chunked", false);

        try (var socket = new Socket("127.0.0.1", fake.port())) {
            OutputStream out = socket.getOutputStream();
            var in = socket.getInputStream();
            out.write(rawRequest(body, null).getBytes(StandardCharsets.UTF_8));
            assertThat(new RawHttpResponse(in).fixedBody()).contains("\"content\":\"Hi\"");

            String chunked = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n"
                    + Integer.toHexString(body.length() - 10) + ";ext=1\r\n" + body.substring(10) + "\r\n0\r\n\r\n";
            out.write(chunked.getBytes(StandardCharsets.UTF_8));
            assertThat(new RawHttpResponse(in).fixedBody()).contains("\"content\":\"Hi\"");
        }
        assertThat(fake.requests()).extracting(RecordedRequest::body).containsExactly(body, body);
        assertThat(fake.requests()).extracting(RecordedRequest::model).containsExactly("gpt-chunked", "gpt-chunked");
    }

    @Test
    void usesScriptsPerModelAndKeyOnceEachThenFallsBackToDefault() throws Exception {
        fake = FakeOpenAiUpstream.start()
                .defaultReply(Reply.ok("default"))
                .script("gpt-a", "*", Reply.ok("model a"))
                .script("*", "sk-2", Reply.ok("key 2"))
                .script("gpt-a", "sk-2", Reply.ok("a with 2, first"), Reply.ok("a with 2, second"))
                .script("*", "*", Reply.ok("anything"));

        assertThat(content(post("sk-2", chat("gpt-a", false)))).isEqualTo("a with 2, first");
        assertThat(content(post("sk-2", chat("gpt-a", false)))).isEqualTo("a with 2, second");
        assertThat(content(post("sk-2", chat("gpt-a", false)))).isEqualTo("model a");
        assertThat(content(post("sk-2", chat("gpt-a", false)))).isEqualTo("key 2");
        assertThat(content(post("sk-1", chat("gpt-b", false)))).isEqualTo("anything");
        assertThat(content(post("sk-1", chat("gpt-b", false)))).isEqualTo("default");
    }

    @Test
    void sendsErrorBodyWithRetryAfterHeader() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.rateLimited(30));

        HttpResponse<String> response = post("sk-1", chat("gpt-test", false));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).hasValue("30");
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("requests");
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.has("param")).isTrue();
        assertThat(error.path("param").isNull()).isTrue();
        assertThat(error.path("message").asText()).isNotBlank();
    }

    @Test
    void sendsContextLengthErrorWithMessagesParam() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.contextLengthExceeded());

        HttpResponse<String> response = post("sk-1", chat("gpt-test", true));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(error.path("param").asText()).isEqualTo("messages");
    }

    @Test
    void answersUnknownPathsWith404() throws Exception {
        fake = FakeOpenAiUpstream.start();

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/embeddings")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("unknown_url");
        assertThat(fake.requests()).extracting(RecordedRequest::path).containsExactly("/v1/embeddings");
    }

    @Test
    void resetBeforeHeadersFailsTheClientWithIOException() {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.resetBeforeHeaders());

        assertThatThrownBy(() -> post("sk-1", chat("gpt-test", false))).isInstanceOf(IOException.class);
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void streamCutLeavesAnIncompleteBody() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.streamCutAfter(2, "one two three four"));

        List<String> lines = new ArrayList<>();
        // The reset may reach HttpClient before send() returns the response, or while the body is read.
        assertThatThrownBy(() -> readLinesInto(client.send(request("sk-1", chat("gpt-test", true)),
                HttpResponse.BodyHandlers.ofInputStream()).body(), lines)).isInstanceOf(IOException.class);
        assertThat(lines).noneMatch(line -> line.contains("[DONE]") || line.contains("\"finish_reason\":\"stop\""));
    }

    @Test
    void clientLeavingAStallCountsAsAbandoned() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.stallAfter(1, "one two three"));

        HttpResponse<InputStream> response = client.send(request("sk-1", chat("gpt-test", true)),
                HttpResponse.BodyHandlers.ofInputStream());
        var reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        String firstContent;
        do {
            firstContent = reader.readLine();
        } while (!firstContent.contains("\"content\":\"one \""));
        reader.close();

        assertThat(fake.awaitClientDisconnect(WAIT)).isTrue();
        assertThat(fake.abandonedConnections()).isEqualTo(1);
    }

    @Test
    void clientTimingOutOnNoAnswerCountsAsAbandoned() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.noAnswer());

        HttpRequest request = HttpRequest.newBuilder(request("sk-1", chat("gpt-test", false)), (name, value) -> true)
                .timeout(Duration.ofMillis(200)).build();
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);

        assertThat(fake.awaitClientDisconnect(WAIT)).isTrue();
    }

    @Test
    void closeReleasesStalledConnectionsPromptlyWithoutCountingThemAbandoned() throws Exception {
        fake = FakeOpenAiUpstream.start().script("*", "*", Reply.noAnswer(), Reply.stallAfter(0, "never"));
        CompletableFuture<HttpResponse<String>> silent = client.sendAsync(request("sk-1", chat("gpt-test", false)),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> stalled = client.sendAsync(request("sk-1", chat("gpt-test", true)),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fake.awaitRequestCount(2, WAIT)).isTrue();

        long started = System.nanoTime();
        fake.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        assertThat(silent).failsWithin(WAIT);
        assertThat(stalled).failsWithin(WAIT);
        assertThat(fake.abandonedConnections()).isZero();
    }

    @Test
    void slowFirstTokenSendsContentOnlyAfterTheDelay() throws Exception {
        Duration delay = Duration.ofMillis(150);
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.slowFirstToken(delay, "late words"));

        long started = System.nanoTime();
        List<String> events = dataOf(post("sk-1", chat("gpt-test", true)).body());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(delay);
        assertThat(events.get(0)).contains("\"role\":\"assistant\"");
        assertThat(events.get(1)).contains("\"content\":\"late \"");
        assertThat(events).last().isEqualTo("[DONE]");
    }

    @Test
    void slowFirstTokenSendsRoleChunkAtOnceAndNoticesTheClientLeaving() throws Exception {
        // Far longer than the test's timeout: the role chunk can only arrive if it is sent before the delay.
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.slowFirstToken(Duration.ofMinutes(1), "never sent"));

        HttpResponse<InputStream> response = client.send(request("sk-1", chat("gpt-test", true)),
                HttpResponse.BodyHandlers.ofInputStream());
        try (var reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(reader.readLine()).contains("\"role\":\"assistant\"");
        }

        assertThat(fake.awaitClientDisconnect(WAIT)).isTrue();
    }

    @Test
    void emptyCompletionStreamsOnlyRoleFinishAndDone() throws Exception {
        fake = FakeOpenAiUpstream.start().defaultReply(Reply.emptyCompletion());

        List<String> events = dataOf(post("sk-1", chat("gpt-test", true)).body());

        assertThat(events).hasSize(3);
        assertThat(events.get(1)).contains("\"finish_reason\":\"stop\"");
        assertThat(events.get(2)).isEqualTo("[DONE]");
    }

    @Test
    void malformedNoDoneAndErrorEventRepliesEndTheBodyProperly() throws Exception {
        fake = FakeOpenAiUpstream.start().script("*", "*",
                Reply.malformedChunk(), Reply.noDone("fine"), Reply.errorEventBeforeOutput());

        assertThat(dataOf(post("sk-1", chat("gpt-test", true)).body())).last().isEqualTo("{not json");
        List<String> noDone = dataOf(post("sk-1", chat("gpt-test", true)).body());
        assertThat(noDone).last().asString().contains("\"finish_reason\":\"stop\"");
        assertThat(noDone).doesNotContain("[DONE]");
        assertThat(dataOf(post("sk-1", chat("gpt-test", true)).body()))
                .containsExactly("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}");
    }

    @Test
    void recordsRequestsWithKeyModelHeadersAndBody() throws Exception {
        fake = FakeOpenAiUpstream.start();
        String body = chat("gpt-a", true);

        post("sk-1", body);
        post("sk-2", chat("gpt-b", false));
        assertThat(fake.awaitRequestCount(2, WAIT)).isTrue();

        RecordedRequest first = fake.requests().get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.path()).isEqualTo("/v1/chat/completions");
        assertThat(first.headers()).containsEntry("authorization", "Bearer sk-1").containsKey("content-type");
        assertThat(first.body()).isEqualTo(body);
        assertThat(first.model()).isEqualTo("gpt-a");
        assertThat(first.stream()).isTrue();
        assertThat(fake.requestsWithKey("sk-2")).singleElement()
                .satisfies(second -> assertThat(second.model()).isEqualTo("gpt-b"))
                .satisfies(second -> assertThat(second.stream()).isFalse());

        fake.clearRequests();
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void servesHttpsWithTheTrustedTestCertificate() throws Exception {
        fake = FakeOpenAiUpstream.startTls(TestTls.localhostCert());
        HttpClient tlsClient = HttpClient.newBuilder().sslContext(TestTls.clientContext()).build();

        HttpResponse<String> response = tlsClient.send(request("sk-1", chat("gpt-test", true)),
                HttpResponse.BodyHandlers.ofString());

        assertThat(fake.baseUrl()).startsWith("https://127.0.0.1:");
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(dataOf(response.body())).last().isEqualTo("[DONE]");
        assertThat(TestTls.trustStorePath()).isRegularFile();
    }

    @Test
    void closeReleasesStalledTlsConnections() throws Exception {
        fake = FakeOpenAiUpstream.startTls(TestTls.localhostCert()).defaultReply(Reply.stallAfter(1, "one two"));
        HttpClient tlsClient = HttpClient.newBuilder().sslContext(TestTls.clientContext()).build();
        CompletableFuture<HttpResponse<String>> stalled = tlsClient.sendAsync(request("sk-1", chat("gpt-test", true)),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fake.awaitRequestCount(1, WAIT)).isTrue();

        fake.close();

        assertThat(stalled).failsWithin(WAIT);
        assertThat(fake.abandonedConnections()).isZero();
    }

    @Test
    void failsTheHandshakeWithTheUntrustedCertificate() {
        fake = FakeOpenAiUpstream.startTls(TestTls.untrustedCert());
        HttpClient tlsClient = HttpClient.newBuilder().sslContext(TestTls.clientContext()).build();

        assertThatThrownBy(() -> tlsClient.send(request("sk-1", chat("gpt-test", false)), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(fake.requests()).isEmpty();
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    @Test
    void listsTheScriptedModelsAndCountsTheListings() throws Exception {
        fake = FakeOpenAiUpstream.start();
        assertThat(JSON.readTree(getModels().body()).path("data").isEmpty()).isTrue();

        fake.modelList("gpt-4o", "o3");
        HttpResponse<String> response = getModels();

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode list = JSON.readTree(response.body());
        assertThat(list.path("object").asText()).isEqualTo("list");
        assertThat(list.findValuesAsText("id")).containsExactly("gpt-4o", "o3");
        assertThat(list.at("/data/0/object").asText()).isEqualTo("model");
        assertThat(fake.modelListRequests()).isEqualTo(2);
    }

    @Test
    void answersTheModelListingWithAScriptedReply() throws Exception {
        fake = FakeOpenAiUpstream.start().modelListReply(Reply.error(401, "invalid_request_error",
                "invalid_api_key", "Incorrect API key provided"));

        assertThat(getModels().statusCode()).isEqualTo(401);
        assertThat(fake.modelListRequests()).isEqualTo(1);
    }

    private HttpResponse<String> getModels() throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/models")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private static String streamingChat(String model, boolean includeUsage) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"stream_options\":{\"include_usage\":" + includeUsage
                + "},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private HttpRequest request(String key, String body) {
        return HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private HttpResponse<String> post(String key, String body) throws IOException, InterruptedException {
        return client.send(request(key, body), HttpResponse.BodyHandlers.ofString());
    }

    private static String content(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body()).at("/choices/0/message/content").asText();
    }

    /** The {@code data:} payloads of an SSE body, in order. */
    private static List<String> dataOf(String sseBody) {
        return sseBody.lines().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
    }

    private static List<JsonNode> parse(List<String> documents) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String document : documents) {
            nodes.add(JSON.readTree(document));
        }
        return nodes;
    }

    private static void readLinesInto(InputStream body, List<String> lines) throws IOException {
        try (var reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        }
    }

    private static String rawRequest(String body, String extraHeader) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-raw\r\n"
                + (extraHeader == null ? "" : extraHeader + "\r\n")
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }
}
