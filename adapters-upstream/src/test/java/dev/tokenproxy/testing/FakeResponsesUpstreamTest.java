package dev.tokenproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FakeResponsesUpstreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final List<String> TEXT_EVENTS_BEFORE_DELTAS = List.of("response.created", "response.in_progress",
            "response.output_item.added", "response.content_part.added");
    private static final List<String> TEXT_EVENTS_AFTER_DELTAS = List.of("response.output_text.done",
            "response.content_part.done", "response.output_item.done");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeResponsesUpstream fake;

    /** One SSE event as received: its {@code event:} name and its {@code data:} parsed. */
    private record Event(String name, JsonNode data) { }

    @AfterEach
    void closeFake() {
        if (fake != null) {
            fake.close();
        }
    }

    @Test
    void answersANonStreamRequestWithACompletedResponseObject() throws Exception {
        fake = FakeResponsesUpstream.start().defaultReply(ResponsesReply.ok("Hi there"));

        HttpResponse<String> response = post("sk-1", responses("gpt-5", false));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("id").asText()).startsWith("resp_fake_");
        assertThat(body.path("object").asText()).isEqualTo("response");
        assertThat(body.path("status").asText()).isEqualTo("completed");
        assertThat(body.path("model").asText()).isEqualTo("gpt-5");
        assertThat(body.path("created_at").isIntegralNumber()).isTrue();
        assertThat(body.path("error").isNull()).isTrue();
        assertThat(body.path("incomplete_details").isNull()).isTrue();
        assertThat(body.at("/output/0/type").asText()).isEqualTo("message");
        assertThat(body.at("/output/0/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/output/0/content/0/type").asText()).isEqualTo("output_text");
        assertThat(body.at("/output/0/content/0/text").asText()).isEqualTo("Hi there");
        assertThat(body.at("/usage/input_tokens").asInt()).isEqualTo(12);
        assertThat(body.at("/usage/input_tokens_details/cached_tokens").asInt()).isEqualTo(8);
        assertThat(body.at("/usage/output_tokens").asInt()).isEqualTo(2);
        assertThat(body.at("/usage/output_tokens_details/reasoning_tokens").asInt()).isZero();
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(14);
    }

    @Test
    void streamsTheTextSequenceWithEventLinesAndConsecutiveSequenceNumbers() throws Exception {
        fake = FakeResponsesUpstream.start().defaultReply(ResponsesReply.ok("Hello from the fake")
                .withUsage(new ResponsesReply.Usage(40, 32, 25, 21)));

        HttpResponse<String> response = post("sk-1", responses("gpt-5", true));

        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        List<Event> events = events(response.body());
        assertThat(names(events)).containsExactlyElementsOf(textEvents(4, "response.completed"));
        assertEveryEventIsNumberedFromZeroAndNamedByItsType(events);
        assertThat(events.subList(4, 8)).extracting(event -> event.data().path("delta").asText())
                .containsExactly("Hello ", "from ", "the ", "fake");
        assertThat(events.subList(2, 11)).extracting(event -> event.data().path("output_index").asInt())
                .containsOnly(0);
        String itemId = events.get(2).data().at("/item/id").asText();
        assertThat(events.subList(3, 10)).extracting(event -> event.data().path("item_id").asText())
                .containsOnly(itemId);
        assertThat(events.get(3).data().at("/part/text").asText()).isEmpty();
        assertThat(events.get(8).data().path("text").asText()).isEqualTo("Hello from the fake");
        assertThat(events.get(10).data().at("/item/status").asText()).isEqualTo("completed");
        assertThat(events.get(0).data().at("/response/status").asText()).isEqualTo("in_progress");
        JsonNode completed = events.getLast().data().path("response");
        assertThat(completed.path("id").asText()).isEqualTo(events.get(0).data().at("/response/id").asText());
        assertThat(completed.path("status").asText()).isEqualTo("completed");
        assertThat(completed.at("/output/0/content/0/text").asText()).isEqualTo("Hello from the fake");
        assertThat(completed.at("/usage/input_tokens").asInt()).isEqualTo(40);
        assertThat(completed.at("/usage/input_tokens_details/cached_tokens").asInt()).isEqualTo(32);
        assertThat(completed.at("/usage/output_tokens").asInt()).isEqualTo(25);
        assertThat(completed.at("/usage/output_tokens_details/reasoning_tokens").asInt()).isEqualTo(21);
        assertThat(completed.at("/usage/total_tokens").asInt()).isEqualTo(65);
    }

    @Test
    void anIncompleteResponseEndsWithResponseIncompleteAndItsReason() throws Exception {
        fake = FakeResponsesUpstream.start().defaultReply(ResponsesReply.incomplete("cut short", "max_output_tokens"));

        List<Event> events = events(post("sk-1", responses("gpt-5", true)).body());

        assertThat(names(events)).containsExactlyElementsOf(textEvents(2, "response.incomplete"));
        assertEveryEventIsNumberedFromZeroAndNamedByItsType(events);
        JsonNode response = events.getLast().data().path("response");
        assertThat(response.path("status").asText()).isEqualTo("incomplete");
        assertThat(response.at("/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
    }

    @Test
    void aRateLimitFailureCarriesItsCodeAndTheDelayInItsMessage() throws Exception {
        fake = FakeResponsesUpstream.start()
                .defaultReply(ResponsesReply.rateLimitExceeded(Duration.ofMillis(11_500)));

        List<Event> events = events(post("sk-1", responses("gpt-5", true)).body());

        assertThat(names(events)).containsExactly("response.created", "response.in_progress", "response.failed");
        assertEveryEventIsNumberedFromZeroAndNamedByItsType(events);
        JsonNode response = events.getLast().data().path("response");
        assertThat(response.path("status").asText()).isEqualTo("failed");
        assertThat(response.at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(response.at("/error/message").asText()).contains("Please try again in 11.5s.");
        assertThat(response.path("output").isEmpty()).isTrue();
    }

    @Test
    void aContextLengthFailureIsAFailedResponseStreamedOrNot() throws Exception {
        fake = FakeResponsesUpstream.start().script(FakeResponsesUpstream.ANY, FakeResponsesUpstream.ANY,
                ResponsesReply.contextLengthExceeded(), ResponsesReply.contextLengthExceeded());

        List<Event> events = events(post("sk-1", responses("gpt-5", true)).body());
        HttpResponse<String> whole = post("sk-1", responses("gpt-5", false));

        assertThat(events.getLast().name()).isEqualTo("response.failed");
        assertThat(events.getLast().data().at("/response/error/code").asText()).isEqualTo("context_length_exceeded");
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(whole.body()).path("status").asText()).isEqualTo("failed");
        assertThat(JSON.readTree(whole.body()).at("/error/code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void anErrorEventEndsTheStreamWithoutATerminalResponseEvent() throws Exception {
        fake = FakeResponsesUpstream.start().defaultReply(ResponsesReply.errorEvent("server_error", "overloaded"));

        List<Event> events = events(post("sk-1", responses("gpt-5", true)).body());

        assertThat(names(events)).containsExactly("response.created", "response.in_progress", "error");
        assertEveryEventIsNumberedFromZeroAndNamedByItsType(events);
        JsonNode error = events.getLast().data();
        assertThat(error.path("code").asText()).isEqualTo("server_error");
        assertThat(error.path("message").asText()).isEqualTo("overloaded");
        assertThat(error.has("param")).isTrue();
    }

    @Test
    void aStreamThatEndsBeforeItsTerminalEventEndsItsBodyProperly() throws Exception {
        fake = FakeResponsesUpstream.start().defaultReply(ResponsesReply.endsBeforeTerminalEvent("almost done"));

        HttpResponse<String> response = post("sk-1", responses("gpt-5", true));

        List<Event> events = events(response.body());
        assertThat(names(events)).containsExactlyElementsOf(textEvents(2, null));
        assertEveryEventIsNumberedFromZeroAndNamedByItsType(events);
        assertThat(response.headers().firstValue("connection")).hasValue("close");
    }

    @Test
    void aStreamCutAfterSomeDeltasIsResetBeforeAnyTerminalEvent() {
        fake = FakeResponsesUpstream.start().defaultReply(ResponsesReply.streamCutAfter(2, "one two three four"));

        List<String> lines = new ArrayList<>();
        // The reset may reach HttpClient before send() returns the response, or while the body is read.
        assertThatThrownBy(() -> readLinesInto(client.send(request("sk-1", responses("gpt-5", true)),
                HttpResponse.BodyHandlers.ofInputStream()).body(), lines)).isInstanceOf(IOException.class);
        assertThat(lines).noneMatch(line -> line.contains("three") || line.contains("response.completed"));
    }

    @Test
    void aStallAfterSomeDeltasIsReleasedWhenTheClientLeaves() throws Exception {
        fake = FakeResponsesUpstream.start().defaultReply(ResponsesReply.stallAfter(1, "one two"));

        HttpResponse<InputStream> response = client.send(request("sk-1", responses("gpt-5", true)),
                HttpResponse.BodyHandlers.ofInputStream());
        try (var reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = reader.readLine();
            } while (!line.contains("\"delta\":\"one \""));
        }

        assertThat(fake.awaitClientDisconnect(WAIT)).isTrue();
    }

    @Test
    void sendsAnHttpErrorStatusWithAJsonErrorBodyAndHeaders() throws Exception {
        fake = FakeResponsesUpstream.start().defaultReply(ResponsesReply.error(429, "requests", "rate_limit_exceeded",
                "Rate limit reached for requests.").withHeader("Retry-After", "7"));

        HttpResponse<String> response = post("sk-1", responses("gpt-5", true));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).hasValue("7");
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("type").asText()).isEqualTo("requests");
        assertThat(error.path("message").asText()).isEqualTo("Rate limit reached for requests.");
        assertThat(error.path("param").isNull()).isTrue();
    }

    @Test
    void recordsInstructionsInputAndToolsAsSent() throws Exception {
        fake = FakeResponsesUpstream.start();
        String body = "{\"model\":\"gpt-5\",\"stream\":true,\"instructions\":\"Be terse.\","
                + "\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
                + "\"text\":\"hi\"}]}],\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\","
                + "\"parameters\":{\"type\":\"object\"}}]}";

        post("sk-7", body);

        RecordedRequest sent = fake.requests().getFirst();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/responses");
        assertThat(sent.bearerKey()).isEqualTo("sk-7");
        assertThat(sent.model()).isEqualTo("gpt-5");
        assertThat(sent.stream()).isTrue();
        assertThat(sent.json().path("instructions").asText()).isEqualTo("Be terse.");
        assertThat(sent.json().at("/input/0/content/0/text").asText()).isEqualTo("hi");
        assertThat(sent.json().at("/tools/0/name").asText()).isEqualTo("get_weather");
    }

    @Test
    void usesScriptsPerModelAndKeyOnceEachThenTheDefault() throws Exception {
        fake = FakeResponsesUpstream.start().defaultReply(ResponsesReply.ok("default"))
                .script("gpt-a", "sk-2", ResponsesReply.ok("a with 2"))
                .script("gpt-a", FakeResponsesUpstream.ANY, ResponsesReply.ok("model a"));

        assertThat(outputText(post("sk-2", responses("gpt-a", false)))).isEqualTo("a with 2");
        assertThat(outputText(post("sk-2", responses("gpt-a", false)))).isEqualTo("model a");
        assertThat(outputText(post("sk-2", responses("gpt-a", false)))).isEqualTo("default");
    }

    @Test
    void answersOtherPathsWith404AndRecordsThem() throws Exception {
        fake = FakeResponsesUpstream.start();

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create(fake.baseUrl() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(responses("gpt-5", false))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("unknown_url");
        assertThat(fake.requests()).extracting(RecordedRequest::path).containsExactly("/v1/chat/completions");
    }

    @Test
    void servesHttps() throws Exception {
        fake = FakeResponsesUpstream.startTls(TestTls.localhostCert());
        HttpClient tlsClient = HttpClient.newBuilder().sslContext(TestTls.clientContext()).build();

        HttpResponse<String> response = tlsClient.send(request("sk-1", responses("gpt-5", true)),
                HttpResponse.BodyHandlers.ofString());

        assertThat(fake.baseUrl()).startsWith("https://127.0.0.1:");
        assertThat(events(response.body()).getLast().name()).isEqualTo("response.completed");
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** The names of a text stream with {@code deltas} deltas and the {@code terminal} event (none when null). */
    private static List<String> textEvents(int deltas, String terminal) {
        List<String> names = new ArrayList<>(TEXT_EVENTS_BEFORE_DELTAS);
        IntStream.range(0, deltas).forEach(i -> names.add("response.output_text.delta"));
        names.addAll(TEXT_EVENTS_AFTER_DELTAS);
        if (terminal != null) {
            names.add(terminal);
        }
        return names;
    }

    private static void assertEveryEventIsNumberedFromZeroAndNamedByItsType(List<Event> events) {
        assertThat(events).extracting(event -> event.data().path("sequence_number").asInt())
                .containsExactlyElementsOf(IntStream.range(0, events.size()).boxed().toList());
        assertThat(events).allSatisfy(event -> assertThat(event.data().path("type").asText()).isEqualTo(event.name()));
    }

    private static List<String> names(List<Event> events) {
        return events.stream().map(Event::name).toList();
    }

    /** Parses an SSE body whose every event has one {@code event:} line and one {@code data:} line. */
    private static List<Event> events(String body) throws IOException {
        assertThat(body).endsWith("\n\n");
        List<Event> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            List<String> lines = block.lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).startsWith("event: ");
            assertThat(lines.get(1)).startsWith("data: ");
            events.add(new Event(lines.get(0).substring(7), JSON.readTree(lines.get(1).substring(6))));
        }
        return events;
    }

    private static String responses(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"input\":\"hi\"}";
    }

    private HttpRequest request(String key, String body) {
        return HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/responses"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private HttpResponse<String> post(String key, String body) throws IOException, InterruptedException {
        return client.send(request(key, body), HttpResponse.BodyHandlers.ofString());
    }

    private static String outputText(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body()).at("/output/0/content/0/text").asText();
    }

    private static void readLinesInto(InputStream body, List<String> lines) throws IOException {
        try (var reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        }
    }
}
