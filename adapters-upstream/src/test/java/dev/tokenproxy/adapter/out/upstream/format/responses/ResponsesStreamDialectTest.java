package dev.tokenproxy.adapter.out.upstream.format.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recorded Responses streams, as a Responses client must see them through the pre-output gate. */
class ResponsesStreamDialectTest {

    @Test
    void aTextStreamPassesThroughWithItsTerminalEventAndUsage() {
        var script = ResponsesEventScript.fromZero().created().messageAdded().flush()
                .textDelta("Hel").textDelta("lo").flush()
                .event("response.output_text.done", "{\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
                        + "\"text\":\"Hello\"}")
                .event("response.output_item.done", "{\"output_index\":0,\"item\":"
                        + ResponsesEventScript.message("Hello") + "}")
                .completedWithText("Hello");

        List<JsonNode> events = events(open(script, null));

        assertThat(types(events)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.output_item.done",
                "response.completed");
        assertConsecutive(events);
        JsonNode usage = events.getLast().at("/response/usage");
        assertThat(usage.at("/input_tokens_details/cached_tokens").asInt()).isEqualTo(8);
        assertThat(usage.at("/output_tokens_details/reasoning_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void aReasoningDeltaCommitsTheStream() {
        var script = ResponsesEventScript.fromZero().created()
                .event("response.reasoning_summary_part.added", "{\"item_id\":\"rs_1\",\"output_index\":0,"
                        + "\"summary_index\":0,\"part\":{\"type\":\"summary_text\",\"text\":\"\"}}")
                .event("response.reasoning_summary_text.delta", "{\"item_id\":\"rs_1\",\"output_index\":0,"
                        + "\"summary_index\":0,\"delta\":\"Thinking\"}")
                .event("response.unknown_future_event", "{}");

        ReplyStream stream = open(script, null);

        assertThat(types(events(stream))).containsExactly("response.created", "response.in_progress",
                "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
                "response.unknown_future_event", "response.failed");
    }

    @Test
    void aFunctionCallWhoseArgumentsArriveOnlyInTheDoneEventCommits() {
        var script = ResponsesEventScript.fromZero().created()
                .event("response.output_item.added", "{\"output_index\":0,\"item\":{\"id\":\"fc_1\","
                        + "\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"f\",\"arguments\":\"\"}}")
                .event("response.function_call_arguments.done", "{\"item_id\":\"fc_1\",\"output_index\":0,"
                        + "\"arguments\":\"{}\"}")
                .terminal("response.completed", "completed", "[{\"id\":\"fc_1\",\"type\":\"function_call\","
                        + "\"call_id\":\"call_1\",\"name\":\"f\",\"arguments\":\"{}\"}]",
                        ResponsesEventScript.USAGE, null);

        assertThat(types(events(open(script, null)))).endsWith("response.function_call_arguments.done",
                "response.completed");
    }

    @Test
    void anIncompleteResponseIsDeliveredEvenWithoutOutput() {
        var script = ResponsesEventScript.fromZero().created()
                .terminal("response.incomplete", "incomplete", "[]", ResponsesEventScript.USAGE, "max_output_tokens");

        List<JsonNode> events = events(open(script, null));

        assertThat(events.getLast().at("/response/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
    }

    @Test
    void aCompletedResponseWithNothingInItIsAnEmptyCompletion() {
        var script = ResponsesEventScript.fromZero().created().messageAdded()
                .terminal("response.completed", "completed", "[]", ResponsesEventScript.USAGE, null);

        assertThat(failure(script).fault()).isEqualTo(Fault.EMPTY_COMPLETION);
    }

    @Test
    void aFailedResponseBeforeOutputFailsTheAttemptWithItsCodeAndTheWaitItsMessageNames() {
        var script = ResponsesEventScript.fromZero().created()
                .failed("rate_limit_exceeded", "Rate limit reached. Please try again in 11.5s. Visit ...");

        AttemptSignal signal = failure(script);

        assertThat(signal.errorCode()).isEqualTo("rate_limit_exceeded");
        assertThat(signal.waitHint()).contains(Duration.ofMillis(11_500));
        assertThat(signal.fault()).isEqualTo(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
    }

    @Test
    void anErrorEventBeforeOutputFailsTheAttemptWithItsCode() {
        var script = ResponsesEventScript.fromZero().created()
                .event("error", "{\"code\":\"server_error\",\"message\":\"boom\",\"param\":null}");

        assertThat(failure(script).errorCode()).isEqualTo("server_error");
    }

    @Test
    void anEndWithoutTerminalEventBeforeOutputFailsTheAttempt() {
        var script = ResponsesEventScript.fromZero().created().messageAdded();

        assertThat(failure(script).fault()).isEqualTo(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
    }

    @Test
    void anErrorAfterOutputEndsWithAResponseFailedThatContinuesTheNumbersAndNamesTheUpstreamCode() {
        var script = ResponsesEventScript.fromZero().created().messageAdded().textDelta("Hi").flush()
                .event("error", "{\"code\":\"server_error\",\"message\":\"boom\",\"param\":null}");

        List<JsonNode> events = events(open(script, null));

        assertThat(types(events).getLast()).isEqualTo("response.failed");
        assertConsecutive(events);
        assertThat(events.getLast().at("/response/error/code").asText()).isEqualTo("server_error");
        assertThat(events.getLast().at("/response/id").asText()).isEqualTo("resp_1");
    }

    @Test
    void anEndWithoutTerminalEventAfterOutputIsAResponseFailedNeverACompletion() {
        var script = ResponsesEventScript.fromZero().created().messageAdded().textDelta("Hi");

        List<JsonNode> events = events(open(script, null));

        assertThat(types(events)).doesNotContain("response.completed");
        assertThat(events.getLast().at("/response/status").asText()).isEqualTo("failed");
        assertThat(events.getLast().at("/response/error/code").asText()).isEqualTo("stream_interrupted");
        assertConsecutive(events);
    }

    @Test
    void numbersTheClientSeesCountFromZeroWhateverTheUpstreamSent() {
        var script = new ResponsesEventScript(41).created().messageAdded().textDelta("Hi");

        List<JsonNode> events = events(open(script, null));

        assertConsecutive(events);
        assertThat(types(events).getLast()).isEqualTo("response.failed");
    }

    @Test
    void theClientsModelNameReplacesTheUpstreamsWhenAsked() {
        var script = ResponsesEventScript.fromZero().created().messageAdded().textDelta("Hi")
                .completedWithText("Hi");

        List<JsonNode> events = events(open(script, "my-alias"));

        assertThat(events.getFirst().at("/response/model").asText()).isEqualTo("my-alias");
        assertThat(events.getLast().at("/response/model").asText()).isEqualTo("my-alias");
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private static ReplyStream open(ResponsesEventScript script, String echoModel) {
        var opening = new PreOutputGate<>(script, new ResponsesStreamDialect("openai_responses", echoModel)).open();
        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Committed.class);
        return ((PreOutputGate.Opening.Committed) opening).stream();
    }

    private static AttemptSignal failure(ResponsesEventScript script) {
        var opening = new PreOutputGate<>(script, new ResponsesStreamDialect("openai_responses", null)).open();
        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Failed.class);
        return ((PreOutputGate.Opening.Failed) opening).signal();
    }

    /** Parses each frame and checks its event line names the data's type. */
    static List<JsonNode> events(ReplyStream stream) {
        var events = new ArrayList<JsonNode>();
        byte[] frame;
        while ((frame = stream.next()) != null) {
            String text = new String(frame, StandardCharsets.UTF_8);
            String type = text.substring("event: ".length(), text.indexOf('\n'));
            JsonNode data = ResponsesEventScript.tree(text.substring(text.indexOf("data: ") + "data: ".length()).strip());
            assertThat(data.path("type").asText()).isEqualTo(type);
            events.add(data);
        }
        return events;
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText()).toList();
    }

    private static void assertConsecutive(List<JsonNode> events) {
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).path("sequence_number").asInt()).as("sequence_number of event %d", i).isEqualTo(i);
        }
    }
}
