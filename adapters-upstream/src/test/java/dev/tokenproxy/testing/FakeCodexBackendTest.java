package dev.tokenproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class FakeCodexBackendTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALID = "{\"model\":\"gpt-5-codex\",\"instructions\":\"\",\"stream\":true,\"store\":false,"
            + "\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hi\"}]}]}";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final FakeCodexBackend fake = FakeCodexBackend.start();

    /** One SSE event as received: its {@code event:} name and its {@code data:} parsed. */
    private record Event(String name, JsonNode data) { }

    @AfterEach
    void closeFake() {
        fake.close();
    }

    @Test
    void streamsResponsesEventsNumberedFromZeroAndRecordsTheAccount() throws Exception {
        fake.defaultReply(CodexReply.ok("Hello codex"));

        HttpResponse<String> response = post("at-1", "acct-1", VALID);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        List<Event> events = events(response.body());
        assertNumberedFromZero(events);
        assertThat(events.getFirst().name()).isEqualTo("response.created");
        assertThat(events.getLast().name()).isEqualTo("response.completed");
        assertThat(events.getLast().data().at("/response/output/0/content/0/text").asText()).isEqualTo("Hello codex");
        RecordedRequest sent = fake.requests().getFirst();
        assertThat(sent.path()).isEqualTo("/backend-api/codex/responses");
        assertThat(sent.bearerKey()).isEqualTo("at-1");
        assertThat(sent.header("chatgpt-account-id")).isEqualTo("acct-1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "stream               | false | Stream must be set to true",
        "store                | true  | Store must be set to false",
        "instructions         | null  | Instructions are required",
        "temperature          | 0.2   | Unsupported parameter: temperature",
        "max_output_tokens    | 100   | Unsupported parameter: max_output_tokens",
        "previous_response_id | \"r\" | Unsupported parameter: previous_response_id"})
    void answersABodyThatBreaksACodexRuleWith400Detail(String field, String value, String detail) throws Exception {
        var body = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(VALID);
        if ("null".equals(value)) {
            body.remove(field);
        } else {
            body.set(field, JSON.readTree(value));
        }

        HttpResponse<String> response = post("at-1", "acct-1", JSON.writeValueAsString(body));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("detail").asText()).isEqualTo(detail);
    }

    @Test
    void aBodyWithoutStoreIsRejectedBecauseTheDefaultStores() throws Exception {
        var body = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(VALID);
        body.remove("store");

        HttpResponse<String> response = post("at-1", "acct-1", JSON.writeValueAsString(body));

        assertThat(JSON.readTree(response.body()).path("detail").asText()).isEqualTo("Store must be set to false");
    }

    @Test
    void aRequestWithoutBearerTokenIs401() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/responses"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(VALID)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void scriptsRepliesPerAccessTokenOnceEachThenTheDefault() throws Exception {
        fake.script("at-expired", CodexReply.tokenExpired()).defaultReply(CodexReply.ok("fresh"));

        HttpResponse<String> expired = post("at-expired", "acct-1", VALID);
        HttpResponse<String> other = post("at-2", "acct-2", VALID);
        HttpResponse<String> again = post("at-expired", "acct-1", VALID);

        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(expired.body()).at("/error/code").asText()).isEqualTo("token_expired");
        assertThat(JSON.readTree(expired.body()).at("/error/message").asText())
                .isEqualTo("Provided authentication token is expired. Please try signing in again.");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(fake.requestsWithToken("at-expired")).hasSize(2);
    }

    @Test
    void aUsageLimitIs429WithItsResetAndTheUsageHeaders() throws Exception {
        Instant reset = Instant.parse("2030-01-01T00:00:00Z");
        fake.defaultReply(CodexReply.usageLimitReached("plus", reset, Duration.ofSeconds(3600))
                .withPrimaryWindow(100, 300, reset).withSecondaryWindow(42.5, 10080, reset.plusSeconds(86_400)));

        HttpResponse<String> response = post("at-1", "acct-1", VALID);

        assertThat(response.statusCode()).isEqualTo(429);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("usage_limit_reached");
        assertThat(error.path("plan_type").asText()).isEqualTo("plus");
        assertThat(error.path("resets_at").asLong()).isEqualTo(reset.getEpochSecond());
        assertThat(error.path("resets_in_seconds").asLong()).isEqualTo(3600);
        assertThat(response.headers().firstValue("x-codex-primary-used-percent")).hasValue("100.0");
        assertThat(response.headers().firstValue("x-codex-primary-window-minutes")).hasValue("300");
        assertThat(response.headers().firstValue("x-codex-primary-reset-at")).hasValue("" + reset.getEpochSecond());
        assertThat(response.headers().firstValue("x-codex-secondary-used-percent")).hasValue("42.5");
    }

    @Test
    void usageNotIncludedAndServerErrorsAreHttpErrors() throws Exception {
        fake.script("at-1", CodexReply.usageNotIncluded(), CodexReply.serverError(503));

        HttpResponse<String> notIncluded = post("at-1", "acct-1", VALID);
        HttpResponse<String> unavailable = post("at-1", "acct-1", VALID);

        assertThat(notIncluded.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(notIncluded.body()).at("/error/type").asText()).isEqualTo("usage_not_included");
        assertThat(unavailable.statusCode()).isEqualTo(503);
    }

    @Test
    void anEmptyOutputCompletesWithNoItemsAndNoOutputTokens() throws Exception {
        fake.defaultReply(CodexReply.emptyOutput());

        List<Event> events = events(post("at-1", "acct-1", VALID).body());

        assertThat(events).extracting(Event::name)
                .containsExactly("response.created", "response.in_progress", "response.completed");
        assertThat(events.getLast().data().at("/response/output").isEmpty()).isTrue();
        assertThat(events.getLast().data().at("/response/usage/output_tokens").asInt()).isZero();
    }

    @Test
    void theOutputCanBeOnlyInTheItemEventsWithAnEmptyCompletedOutput() throws Exception {
        fake.defaultReply(CodexReply.okWithOutputOnlyInItems("items only"));

        List<Event> events = events(post("at-1", "acct-1", VALID).body());

        assertNumberedFromZero(events);
        assertThat(events.getLast().data().at("/response/output").isEmpty()).isTrue();
        Event itemDone = events.get(events.size() - 2);
        assertThat(itemDone.name()).isEqualTo("response.output_item.done");
        assertThat(itemDone.data().at("/item/content/0/text").asText()).isEqualTo("items only");
    }

    @Test
    void failuresComeBeforeOrAfterOutputAsScripted() throws Exception {
        fake.script("at-1", CodexReply.errorBeforeOutput("server_error", "boom"),
                CodexReply.failedAfterOutput(2, "one two three", "server_is_overloaded", "busy"),
                CodexReply.failedBeforeOutput("usage_not_included", "no codex"));

        List<Event> before = events(post("at-1", "acct-1", VALID).body());
        List<Event> after = events(post("at-1", "acct-1", VALID).body());
        List<Event> failed = events(post("at-1", "acct-1", VALID).body());

        assertThat(before).extracting(Event::name).containsExactly("response.created", "response.in_progress", "error");
        assertNumberedFromZero(after);
        assertThat(after).extracting(Event::name).filteredOn("response.output_text.delta"::equals).hasSize(2);
        assertThat(after.getLast().name()).isEqualTo("response.failed");
        assertThat(after.getLast().data().at("/response/error/code").asText()).isEqualTo("server_is_overloaded");
        assertThat(failed.getLast().data().at("/response/error/code").asText()).isEqualTo("usage_not_included");
    }

    @Test
    void aFunctionCallStreamsItsArgumentsInFragments() throws Exception {
        fake.defaultReply(CodexReply.functionCall("call_1", "get_weather", "{\"city\":\"Oslo\"}"));

        List<Event> events = events(post("at-1", "acct-1", VALID).body());

        assertThat(events).extracting(Event::name).filteredOn("response.function_call_arguments.delta"::equals)
                .hasSize(2);
        assertThat(events.getLast().data().at("/response/output/0/name").asText()).isEqualTo("get_weather");
    }

    @Test
    void answersOtherPathsWith404DetailAndRecordsThem() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/models"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("detail").asText()).isEqualTo("Not Found");
        assertThat(fake.requests()).hasSize(1);
    }

    private static void assertNumberedFromZero(List<Event> events) {
        assertThat(events).extracting(event -> event.data().path("sequence_number").asInt())
                .containsExactlyElementsOf(IntStream.range(0, events.size()).boxed().toList());
        assertThat(events).allSatisfy(event -> assertThat(event.data().path("type").asText()).isEqualTo(event.name()));
    }

    /** Parses an SSE body whose every event has one {@code event:} line and one {@code data:} line. */
    private static List<Event> events(String body) throws IOException {
        List<Event> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            List<String> lines = block.lines().toList();
            assertThat(lines).hasSize(2);
            events.add(new Event(lines.get(0).substring("event: ".length()),
                    JSON.readTree(lines.get(1).substring("data: ".length()))));
        }
        return events;
    }

    private HttpResponse<String> post(String token, String accountId, String body)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/responses"))
                .header("Authorization", "Bearer " + token)
                .header("chatgpt-account-id", accountId)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
