package dev.tokenproxy.adapter.out.upstream.format.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.FrameSource;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.classify.Fault;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recorded Chat Completions streams, as a Responses client must see them through the pre-output gate. */
class ChatToResponsesStreamDialectTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    private static final String ROLE = chunk("{\"role\":\"assistant\",\"content\":\"\"}", null);
    private static final String USAGE = "{\"id\":\"c1\",\"model\":\"gpt-4.1\",\"choices\":[],\"usage\":{"
            + "\"prompt_tokens\":12,\"prompt_tokens_details\":{\"cached_tokens\":8},\"completion_tokens\":30,"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":20},\"total_tokens\":42}}";

    private static String chunk(String delta, String finish) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,"
                + "\"delta\":" + delta + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    @Test
    void aTextStreamBecomesTheResponsesEventSequenceWithConsecutiveNumbersAndUsage() throws Exception {
        var events = events(open(batch(ROLE), batch(chunk("{\"content\":\"Hel\"}", null)),
                batch(chunk("{\"content\":\"lo\"}", null), chunk("{}", "stop"), USAGE, "[DONE]")));

        assertThat(types(events)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed");
        assertConsecutive(events);
        JsonNode completed = events.getLast().path("response");
        assertThat(completed.path("status").asText()).isEqualTo("completed");
        assertThat(completed.at("/output/0/content/0/text").asText()).isEqualTo("Hello");
        assertThat(completed.at("/usage/input_tokens").asInt()).isEqualTo(12);
        assertThat(completed.at("/usage/input_tokens_details/cached_tokens").asInt()).isEqualTo(8);
        assertThat(completed.at("/usage/output_tokens_details/reasoning_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void aToolCallBecomesAFunctionCallItemWithItsArgumentsInOrder() throws Exception {
        String start = chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null);
        String args1 = chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", null);
        String args2 = chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}", null);

        var events = events(open(batch(ROLE, start), batch(args1, args2, chunk("{}", "tool_calls"), "[DONE]")));

        assertConsecutive(events);
        JsonNode call = events.getLast().at("/response/output/0");
        assertThat(call.path("type").asText()).isEqualTo("function_call");
        assertThat(call.path("call_id").asText()).isEqualTo("call_1");
        assertThat(call.path("name").asText()).isEqualTo("get_weather");
        assertThat(call.path("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(types(events)).contains("response.function_call_arguments.delta",
                "response.function_call_arguments.done");
    }

    @Test
    void twoToolCallsBecomeTwoFunctionCallItemsAtTheirOwnOutputIndexesWithTheirOwnArguments() throws Exception {
        String starts = chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}},{\"index\":1,\"id\":\"call_b\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]}", null);
        // The fragments of the two calls interleave, as parallel tool calls may.
        var events = events(open(batch(ROLE, starts),
                batch(arguments(0, "{\\\"city\\\":"), arguments(1, "{\\\"tz\\\":")),
                batch(arguments(0, "\\\"Paris\\\"}"), arguments(1, "\\\"CET\\\"}"), chunk("{}", "tool_calls"),
                        "[DONE]")));

        assertConsecutive(events);
        List<JsonNode> added = ofType(events, "response.output_item.added");
        assertThat(added).extracting(e -> e.path("output_index").asInt()).containsExactly(0, 1);
        assertThat(added).extracting(e -> e.at("/item/call_id").asText()).containsExactly("call_a", "call_b");
        String first = added.get(0).at("/item/id").asText();
        String second = added.get(1).at("/item/id").asText();
        assertThat(first).isNotEqualTo(second);
        for (JsonNode delta : ofType(events, "response.function_call_arguments.delta")) {
            assertThat(delta.path("item_id").asText())
                    .isEqualTo(delta.path("output_index").asInt() == 0 ? first : second);
        }
        assertThat(argumentsOf(events, 0)).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(argumentsOf(events, 1)).isEqualTo("{\"tz\":\"CET\"}");
        assertThat(ofType(events, "response.function_call_arguments.done"))
                .extracting(e -> e.path("item_id").asText() + " " + e.path("arguments").asText())
                .containsExactlyInAnyOrder(first + " {\"city\":\"Paris\"}", second + " {\"tz\":\"CET\"}");
        JsonNode output = events.getLast().at("/response/output");
        assertThat(output).hasSize(2);
        assertThat(output.path(0).path("call_id").asText()).isEqualTo("call_a");
        assertThat(output.path(0).path("name").asText()).isEqualTo("get_weather");
        assertThat(output.path(0).path("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(output.path(1).path("call_id").asText()).isEqualTo("call_b");
        assertThat(output.path(1).path("name").asText()).isEqualTo("get_time");
        assertThat(output.path(1).path("arguments").asText()).isEqualTo("{\"tz\":\"CET\"}");
    }

    @Test
    void reasoningBeforeTheAnswerIsAReasoningItemFirst() throws Exception {
        var events = events(open(batch(ROLE, chunk("{\"reasoning_content\":\"Think.\"}", null),
                chunk("{\"content\":\"Answer\"}", null), chunk("{}", "stop"), "[DONE]")));

        JsonNode output = events.getLast().at("/response/output");
        assertThat(output.path(0).path("type").asText()).isEqualTo("reasoning");
        assertThat(output.at("/0/summary/0/text").asText()).isEqualTo("Think.");
        assertThat(output.at("/1/content/0/text").asText()).isEqualTo("Answer");
    }

    @Test
    void aLengthFinishIsAnIncompleteResponse() throws Exception {
        var events = events(open(batch(ROLE, chunk("{\"content\":\"cut\"}", null), chunk("{}", "length"), "[DONE]")));

        assertThat(events.getLast().path("type").asText()).isEqualTo("response.incomplete");
        assertThat(events.getLast().at("/response/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
    }

    @Test
    void aContentFilterFinishIsAnIncompleteResponseForContentFilter() throws Exception {
        var events = events(open(batch(ROLE, chunk("{\"content\":\"Some\"}", null), chunk("{}", "content_filter"),
                "[DONE]")));

        assertConsecutive(events);
        JsonNode last = events.getLast();
        assertThat(last.path("type").asText()).isEqualTo("response.incomplete");
        assertThat(last.at("/response/status").asText()).isEqualTo("incomplete");
        assertThat(last.at("/response/incomplete_details/reason").asText()).isEqualTo("content_filter");
        assertThat(last.at("/response/output/0/content/0/text").asText()).isEqualTo("Some");
        assertThat(types(events)).doesNotContain("response.completed");
    }

    @Test
    void aContentFilterFinishWithoutAnyOutputIsStillDeliveredAsAnIncompleteResponse() throws Exception {
        var events = events(open(batch(ROLE, chunk("{}", "content_filter"), "[DONE]")));

        assertThat(types(events)).containsExactly("response.created", "response.in_progress", "response.incomplete");
        assertConsecutive(events);
        assertThat(events.getLast().at("/response/incomplete_details/reason").asText()).isEqualTo("content_filter");
        assertThat(events.getLast().at("/response/output")).isEmpty();
    }

    @Test
    void aFailureAfterOutputEndsWithResponseFailedContinuingTheSequence() throws Exception {
        var events = events(open(batch(ROLE, chunk("{\"content\":\"Hel\"}", null)),
                batch("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}")));

        assertThat(events.getLast().path("type").asText()).isEqualTo("response.failed");
        assertThat(events.getLast().at("/response/status").asText()).isEqualTo("failed");
        assertConsecutive(events);
    }

    @Test
    void anEmptyAnswerFailsTheAttemptBeforeTheClientSeesAnything() {
        var opening = new PreOutputGate<>(new Script(batch(ROLE, chunk("{}", "stop"), "[DONE]")), dialect()).open();

        assertThat(opening).isInstanceOfSatisfying(PreOutputGate.Opening.Failed.class,
                failed -> assertThat(failed.signal().fault()).isEqualTo(Fault.EMPTY_COMPLETION));
    }

    @Test
    void anErrorEventBeforeOutputCarriesItsCodeToTheClassification() {
        var opening = new PreOutputGate<>(new Script(batch(ROLE,
                "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")),
                dialect()).open();

        assertThat(opening).isInstanceOfSatisfying(PreOutputGate.Opening.Failed.class,
                failed -> assertThat(failed.signal().errorCode()).isEqualTo("rate_limit_exceeded"));
    }

    private static ChatToResponsesStreamDialect dialect() {
        return new ChatToResponsesStreamDialect("openai", null, CLOCK, "resp_test1");
    }

    private static ReplyStream open(List<SseItem>... batches) {
        var opening = new PreOutputGate<>(new Script(batches), dialect()).open();
        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Committed.class);
        return ((PreOutputGate.Opening.Committed) opening).stream();
    }

    private static List<SseItem> batch(String... data) {
        return java.util.Arrays.stream(data).<SseItem>map(d -> new SseItem.Event(null, d)).toList();
    }

    /** Parses each frame ({@code event: t\ndata: {...}\n\n}) and checks the event line names the data's type. */
    private static List<JsonNode> events(ReplyStream stream) throws Exception {
        var events = new ArrayList<JsonNode>();
        byte[] frame;
        while ((frame = stream.next()) != null) {
            String text = new String(frame, StandardCharsets.UTF_8);
            String type = text.substring("event: ".length(), text.indexOf('\n'));
            JsonNode data = JSON.readTree(text.substring(text.indexOf("data: ") + "data: ".length()).strip());
            assertThat(data.path("type").asText()).isEqualTo(type);
            events.add(data);
        }
        return events;
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText()).toList();
    }

    /** A chunk carrying one fragment of the arguments of the tool call at Chat's {@code index}. */
    private static String arguments(int index, String fragment) {
        return chunk("{\"tool_calls\":[{\"index\":" + index + ",\"function\":{\"arguments\":\"" + fragment + "\"}}]}",
                null);
    }

    private static List<JsonNode> ofType(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.path("type").asText().equals(type)).toList();
    }

    /** The argument deltas sent for the item at {@code outputIndex}, joined. */
    private static String argumentsOf(List<JsonNode> events, int outputIndex) {
        var arguments = new StringBuilder();
        ofType(events, "response.function_call_arguments.delta").stream()
                .filter(e -> e.path("output_index").asInt() == outputIndex)
                .forEach(e -> arguments.append(e.path("delta").asText()));
        return arguments.toString();
    }

    private static void assertConsecutive(List<JsonNode> events) {
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).path("sequence_number").asInt()).as("sequence_number of event %d", i).isEqualTo(i);
        }
    }

    /** Plays batches of SSE items, then the end of the body. */
    private static final class Script implements FrameSource<SseItem> {
        private final Deque<List<SseItem>> batches;

        @SafeVarargs
        Script(List<SseItem>... batches) {
            this.batches = new ArrayDeque<>(List.of(batches));
        }

        @Override
        public List<SseItem> next() {
            return batches.poll();
        }

        @Override
        public void outputStarted() {
        }

        @Override
        public void finish() {
        }

        @Override
        public void abort() {
            batches.clear();
        }
    }
}
