package dev.tokenproxy.adapter.out.upstream.kiro;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.eventstream.EventStreamMessage;
import dev.tokenproxy.adapter.out.upstream.eventstream.EventStreamParser;
import dev.tokenproxy.testing.KiroFrames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KiroToMessagesEventsTest {

    @Test
    void textBecomesOneTextBlockWithUsageEstimatedFromContextUsage() throws Exception {
        var events = translate(KiroFrames.metering(0.1), KiroFrames.text("Hello"), KiroFrames.text(" there"),
                KiroFrames.metering(0.176), KiroFrames.contextUsage(12.5));

        assertThat(events).containsExactly(
                "message_start {\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                        + "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                        + "\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}",
                "content_block_start 0 {\"type\":\"text\",\"text\":\"\"}",
                "content_block_delta 0 {\"type\":\"text_delta\",\"text\":\"Hello\"}",
                "content_block_delta 0 {\"type\":\"text_delta\",\"text\":\" there\"}",
                "content_block_stop 0",
                "message_delta {\"stop_reason\":\"end_turn\",\"stop_sequence\":null}"
                        + " {\"input_tokens\":25000,\"output_tokens\":3}",
                "message_stop");
    }

    @Test
    void aFragmentedToolCallBecomesATooluseBlockAfterTheText() throws Exception {
        var events = translate(KiroFrames.text("Checking."),
                KiroFrames.toolUse("tooluse_1", "get_weather", "{\"ci", false),
                KiroFrames.toolUse("tooluse_1", "get_weather", "ty\":\"Paris\"}", true),
                KiroFrames.contextUsage(1.0));

        assertThat(events).containsSubsequence(
                "content_block_start 0 {\"type\":\"text\",\"text\":\"\"}",
                "content_block_stop 0",
                "content_block_start 1 {\"type\":\"tool_use\",\"id\":\"tooluse_1\",\"name\":\"get_weather\",\"input\":{}}",
                "content_block_delta 1 {\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"ci\"}",
                "content_block_delta 1 {\"type\":\"input_json_delta\",\"partial_json\":\"ty\\\":\\\"Paris\\\"}\"}",
                "content_block_stop 1");
        assertThat(events.get(events.size() - 2)).startsWith("message_delta {\"stop_reason\":\"tool_use\"");
        assertThat(events).filteredOn(line -> line.startsWith("content_block_stop")).hasSize(2);
    }

    @Test
    void twoToolCallsInARowEachGetTheirBlock() throws Exception {
        var events = translate(KiroFrames.toolUse("t1", "a", "{}", false), KiroFrames.toolUse("t2", "b", "{}", true));

        assertThat(events).containsSubsequence(
                "content_block_start 0 {\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"a\",\"input\":{}}",
                "content_block_stop 0",
                "content_block_start 1 {\"type\":\"tool_use\",\"id\":\"t2\",\"name\":\"b\",\"input\":{}}",
                "content_block_stop 1");
    }

    @Test
    void reasoningEventsAndInlineThinkingTagsBecomeThinkingBlocks() throws Exception {
        var fromEvents = translate(KiroFrames.reasoning("Let me think."), KiroFrames.text("42"));
        assertThat(fromEvents).containsSubsequence(
                "content_block_start 0 {\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}",
                "content_block_delta 0 {\"type\":\"thinking_delta\",\"thinking\":\"Let me think.\"}",
                "content_block_stop 0",
                "content_block_start 1 {\"type\":\"text\",\"text\":\"\"}",
                "content_block_delta 1 {\"type\":\"text_delta\",\"text\":\"42\"}");

        var fromTags = translate(KiroFrames.text("<thin"), KiroFrames.text("king>Hmm, 6"), KiroFrames.text("x7</thi"),
                KiroFrames.text("nking>\n\n42"));
        assertThat(fromTags).containsSubsequence(
                "content_block_delta 0 {\"type\":\"thinking_delta\",\"thinking\":\"Hmm, 6\"}",
                "content_block_delta 0 {\"type\":\"thinking_delta\",\"thinking\":\"x7\"}",
                "content_block_stop 0",
                "content_block_delta 1 {\"type\":\"text_delta\",\"text\":\"42\"}");
    }

    @Test
    void aThinkingTagInsideTheAnswerIsJustText() throws Exception {
        var events = translate(KiroFrames.text("Use <thinking> tags."));
        assertThat(events).contains("content_block_delta 0 {\"type\":\"text_delta\",\"text\":\"Use <thinking> tags.\"}");
    }

    @Test
    void realTokenCountsAndTheUpstreamStopReasonWin() throws Exception {
        var events = translate(KiroFrames.text("Hi"), KiroFrames.tokenUsage(100, 20, 7),
                KiroFrames.messageStop("max_tokens"), KiroFrames.contextUsage(50));
        assertThat(events).contains("message_delta {\"stop_reason\":\"max_tokens\",\"stop_sequence\":null}"
                + " {\"input_tokens\":100,\"output_tokens\":7,\"cache_read_input_tokens\":20}");
    }

    @Test
    void metadataAloneIsNoOutput() {
        var translator = translator();
        var step = translator.on(message(KiroFrames.metering(0.01)));
        assertThat(step).isEqualTo(new KiroEventStep.Events(List.of(), false));
        assertThat(translator.anyOutput()).isFalse();
    }

    @Test
    void anExceptionFrameIsAFailure() {
        var step = translator().on(message(KiroFrames.exception("ThrottlingException", "Too many requests")));
        assertThat(step).isEqualTo(new KiroEventStep.Failed("ThrottlingException", "Too many requests"));
    }

    @Test
    void acceptsPayloadsWrappedInTheirEventType() {
        var step = translator().on(new EventStreamMessage(Map.of(":message-type", "event", ":event-type",
                "assistantResponseEvent"), "{\"assistantResponseEvent\":{\"content\":\"Hi\"}}".getBytes(StandardCharsets.UTF_8)));
        assertThat(step).isInstanceOfSatisfying(KiroEventStep.Events.class, events -> {
            assertThat(events.output()).isTrue();
            assertThat(events.events().getLast().toString()).contains("\"text\":\"Hi\"");
        });
    }

    @Test
    void givesToolCallsBackUnderTheClientsName() {
        var translator = new KiroToMessagesEvents("msg_1", "m", 200_000, name -> name.equals("short") ? "long" : name);
        var step = (KiroEventStep.Events) translator.on(message(KiroFrames.toolUse("t1", "short", "{}", true)));
        assertThat(step.events()).anySatisfy(event -> assertThat(event.path("content_block").path("name").asText())
                .isEqualTo("long"));
    }

    private static KiroToMessagesEvents translator() {
        return new KiroToMessagesEvents("msg_1", "claude-sonnet-4-5", KiroToMessagesEvents.DEFAULT_CONTEXT_WINDOW_TOKENS,
                name -> name);
    }

    /** The frames through the real parser and the translator, each event as "type [index] payload". */
    private static List<String> translate(byte[]... frames) throws Exception {
        var all = new ByteArrayOutputStream();
        for (byte[] frame : frames) {
            all.writeBytes(frame);
        }
        byte[] bytes = all.toByteArray();
        var translator = translator();
        var events = new ArrayList<ObjectNode>();
        for (EventStreamMessage message : new EventStreamParser().feed(bytes, 0, bytes.length)) {
            events.addAll(((KiroEventStep.Events) translator.on(message)).events());
        }
        events.addAll(translator.finish());
        return events.stream().map(KiroToMessagesEventsTest::describe).toList();
    }

    private static EventStreamMessage message(byte[] frame) {
        try {
            return new EventStreamParser().feed(frame, 0, frame.length).getFirst();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String describe(ObjectNode event) {
        String type = event.path("type").asText();
        return switch (type) {
            case "message_start" -> type + " " + event.path("message");
            case "content_block_start" -> type + " " + event.path("index") + " " + event.path("content_block");
            case "content_block_delta" -> type + " " + event.path("index") + " " + event.path("delta");
            case "content_block_stop" -> type + " " + event.path("index");
            case "message_delta" -> type + " " + event.path("delta") + " " + event.path("usage");
            default -> type;
        };
    }
}
