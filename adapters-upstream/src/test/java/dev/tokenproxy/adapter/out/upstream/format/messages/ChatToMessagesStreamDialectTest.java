package dev.tokenproxy.adapter.out.upstream.format.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recorded Chat Completions streams, as a Messages client must see them through the pre-output gate. */
class ChatToMessagesStreamDialectTest {

    private static final String HEAD = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":";
    private static final String USAGE = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-x\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,"
            + "\"total_tokens\":17,\"prompt_tokens_details\":{\"cached_tokens\":8}}}";

    private static String delta(String delta) {
        return HEAD + delta + ",\"finish_reason\":null}]}";
    }

    private static String finish(String reason) {
        return HEAD + "{},\"finish_reason\":\"" + reason + "\"}]}";
    }

    private static MessagesEventScript role() {
        return MessagesEventScript.script().data(delta("{\"role\":\"assistant\",\"content\":\"\"}"));
    }

    @Test
    void textChunksBecomeOneTextBlockBetweenMessageStartAndMessageStopWithUsageInMessageDelta() {
        var script = role().data(delta("{\"content\":\"Hel\"}")).data(delta("{\"content\":\"lo\"}"))
                .data(finish("stop")).data(USAGE).data("[DONE]");

        List<Event> events = events(open(script));

        assertThat(events).extracting(Event::type).containsExactly("message_start", "content_block_start",
                "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(events.getFirst().data().at("/message/id").asText()).isEqualTo("msg_chatcmpl-1");
        assertThat(events.getFirst().data().at("/message/model").asText()).isEqualTo("gpt-x");
        assertThat(text(events)).isEqualTo("Hello");
        JsonNode messageDelta = events.get(5).data();
        assertThat(messageDelta.at("/delta/stop_reason").asText()).isEqualTo("end_turn");
        assertThat(messageDelta.at("/usage/input_tokens").asInt()).isEqualTo(4);
        assertThat(messageDelta.at("/usage/cache_read_input_tokens").asInt()).isEqualTo(8);
        assertThat(messageDelta.at("/usage/output_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void reasoningThenTextAreAThinkingBlockThenATextBlock() {
        var script = role().data(delta("{\"reasoning_content\":\"Think.\"}")).data(delta("{\"content\":\"Hi\"}"))
                .data(finish("stop")).data("[DONE]");

        List<Event> events = events(open(script));

        assertThat(events.get(1).data().at("/content_block/type").asText()).isEqualTo("thinking");
        assertThat(events.get(2).data().at("/delta/thinking").asText()).isEqualTo("Think.");
        assertThat(events.get(3).type()).isEqualTo("content_block_stop");
        assertThat(events.get(4).data().path("index").asInt()).isEqualTo(1);
        assertThat(events.get(4).data().at("/content_block/type").asText()).isEqualTo("text");
    }

    @Test
    void toolCallsBecomeToolUseBlocksWithFragmentedInputAndStopReasonToolUse() {
        var script = role().data(delta("{\"content\":\"Looking.\"}"))
                .data(delta("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"get_weather\",\"arguments\":\"\"}}]}"))
                .data(delta("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"ci\"}}]}"))
                .data(delta("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ty\\\":\\\"Rome\\\"}\"}}]}"))
                .data(delta("{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"now\",\"arguments\":\"{}\"}}]}"))
                .data(finish("tool_calls")).data("[DONE]");

        List<Event> events = events(open(script));

        List<JsonNode> starts = events.stream().filter(e -> e.type().equals("content_block_start"))
                .map(Event::data).toList();
        assertThat(starts.get(1).toString()).isEqualTo("{\"type\":\"content_block_start\",\"index\":1,"
                + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\",\"input\":{}}}");
        assertThat(starts.get(2).at("/content_block/name").asText()).isEqualTo("now");
        assertThat(partialJson(events, 1)).isEqualTo("{\"city\":\"Rome\"}");
        assertThat(partialJson(events, 2)).isEqualTo("{}");
        assertThat(events.stream().filter(e -> e.type().equals("content_block_stop")).count()).isEqualTo(3);
        assertThat(events.get(events.size() - 2).data().at("/delta/stop_reason").asText()).isEqualTo("tool_use");
    }

    @Test
    void lengthAndContentFilterAreMaxTokensAndRefusal() {
        assertThat(stopReason(role().data(delta("{\"content\":\"cut\"}")).data(finish("length")).data("[DONE]")))
                .isEqualTo("max_tokens");
        assertThat(stopReason(role().data(delta("{\"content\":\"x\"}")).data(finish("content_filter"))
                .data("[DONE]"))).isEqualTo("refusal");
    }

    @Test
    void aStreamThatSaysNothingIsAnEmptyCompletion() {
        var script = role().data(finish("stop")).data("[DONE]");

        assertThat(failure(script).fault()).isEqualTo(Fault.EMPTY_COMPLETION);
    }

    @Test
    void anErrorChunkBeforeOutputFailsTheAttemptWithItsCode() {
        var script = role().data("{\"error\":{\"message\":\"Rate limited\",\"type\":\"requests\","
                + "\"code\":\"rate_limit_exceeded\"}}");

        AttemptSignal signal = failure(script);

        assertThat(signal.errorCode()).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void aFailureAfterOutputIsAnErrorEventNeverAMessageStop() {
        var script = role().data(delta("{\"content\":\"Hi\"}")).flush()
                .data("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");

        List<Event> events = events(open(script));

        assertThat(events.getLast().type()).isEqualTo("error");
        assertThat(events.getLast().data().at("/error/message").asText()).isEqualTo("boom");
        assertThat(events).noneMatch(event -> event.type().equals("message_stop"));
    }

    @Test
    void anEndWithoutDoneOrFinishAfterOutputIsAnErrorEvent() {
        var script = role().data(delta("{\"content\":\"Hi\"}"));

        List<Event> events = events(open(script));

        assertThat(events.getLast().type()).isEqualTo("error");
        assertThat(events.getLast().data().at("/error/type").asText()).isEqualTo("api_error");
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private record Event(String type, JsonNode data) {
    }

    private static ReplyStream open(MessagesEventScript script) {
        var opening = new PreOutputGate<>(script, new ChatToMessagesStreamDialect("openai", null)).open();
        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Committed.class);
        return ((PreOutputGate.Opening.Committed) opening).stream();
    }

    private static AttemptSignal failure(MessagesEventScript script) {
        var opening = new PreOutputGate<>(script, new ChatToMessagesStreamDialect("openai", null)).open();
        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Failed.class);
        return ((PreOutputGate.Opening.Failed) opening).signal();
    }

    private static String stopReason(MessagesEventScript script) {
        List<Event> events = events(open(script));
        return events.get(events.size() - 2).data().at("/delta/stop_reason").asText();
    }

    /** Each frame's {@code event:} and parsed {@code data:}; the event name must equal the data's type. */
    private static List<Event> events(ReplyStream stream) {
        var events = new ArrayList<Event>();
        byte[] frame;
        while ((frame = stream.next()) != null) {
            String text = new String(frame, StandardCharsets.UTF_8);
            String type = text.lines().filter(l -> l.startsWith("event: ")).findFirst().orElseThrow().substring(7);
            String data = text.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
            JsonNode json = MessagesEventScript.tree(data);
            assertThat(json.path("type").asText()).isEqualTo(type);
            events.add(new Event(type, json));
        }
        return events;
    }

    private static String text(List<Event> events) {
        StringBuilder text = new StringBuilder();
        events.forEach(e -> text.append(e.data().at("/delta/text").asText("")));
        return text.toString();
    }

    private static String partialJson(List<Event> events, int index) {
        StringBuilder json = new StringBuilder();
        events.stream().filter(e -> e.type().equals("content_block_delta") && e.data().path("index").asInt() == index)
                .forEach(e -> json.append(e.data().at("/delta/partial_json").asText()));
        return json.toString();
    }
}
