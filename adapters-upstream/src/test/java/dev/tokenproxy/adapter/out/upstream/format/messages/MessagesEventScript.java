package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.FrameSource;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A recorded upstream stream played to a dialect through the pre-output gate: Anthropic Messages events (protocols
 * §5) with {@code event:} equal to their {@code type}, as the API sends them, or Chat chunks as bare {@code data:}.
 */
final class MessagesEventScript implements FrameSource<SseItem> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Deque<List<SseItem>> batches = new ArrayDeque<>();
    private final List<SseItem> pending = new ArrayList<>();

    static MessagesEventScript script() {
        return new MessagesEventScript();
    }

    /** One event; {@code fields} is the JSON object after {@code type}. */
    MessagesEventScript event(String type, String fields) {
        ObjectNode event = JSON.createObjectNode().put("type", type);
        event.setAll((ObjectNode) tree(fields));
        pending.add(new SseItem.Event(type, write(event)));
        return this;
    }

    /** {@code message_start} with input 10, cache read 4, cache write 2, as the API reports them before output. */
    MessagesEventScript start() {
        return event("message_start", "{\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"claude-x\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":10,"
                + "\"cache_read_input_tokens\":4,\"cache_creation_input_tokens\":2,\"output_tokens\":1}}}");
    }

    MessagesEventScript ping() {
        return event("ping", "{}");
    }

    MessagesEventScript textBlock(int index, String... deltas) {
        event("content_block_start", "{\"index\":" + index + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        for (String delta : deltas) {
            event("content_block_delta", "{\"index\":" + index + ",\"delta\":{\"type\":\"text_delta\",\"text\":"
                    + quoted(delta) + "}}");
        }
        return this;
    }

    MessagesEventScript thinkingBlock(int index, String thinking) {
        return event("content_block_start", "{\"index\":" + index
                + ",\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}")
                .event("content_block_delta", "{\"index\":" + index + ",\"delta\":{\"type\":\"thinking_delta\","
                        + "\"thinking\":" + quoted(thinking) + "}}")
                .event("content_block_delta", "{\"index\":" + index + ",\"delta\":{\"type\":\"signature_delta\","
                        + "\"signature\":\"sig\"}}")
                .blockStop(index);
    }

    MessagesEventScript toolBlock(int index, String id, String name, String... fragments) {
        event("content_block_start", "{\"index\":" + index + ",\"content_block\":{\"type\":\"tool_use\",\"id\":"
                + quoted(id) + ",\"name\":" + quoted(name) + ",\"input\":{}}}");
        for (String fragment : fragments) {
            event("content_block_delta", "{\"index\":" + index + ",\"delta\":{\"type\":\"input_json_delta\","
                    + "\"partial_json\":" + quoted(fragment) + "}}");
        }
        return blockStop(index);
    }

    MessagesEventScript blockStop(int index) {
        return event("content_block_stop", "{\"index\":" + index + "}");
    }

    /** {@code message_delta} with the stop reason and cumulative output tokens, then {@code message_stop}. */
    MessagesEventScript finish(String stopReason, int outputTokens) {
        return event("message_delta", "{\"delta\":{\"stop_reason\":" + quoted(stopReason) + ",\"stop_sequence\":null},"
                + "\"usage\":{\"output_tokens\":" + outputTokens + "}}")
                .event("message_stop", "{}");
    }

    MessagesEventScript error(String type, String message) {
        return event("error", "{\"error\":{\"type\":" + quoted(type) + ",\"message\":" + quoted(message) + "}}");
    }

    /** A {@code data:}-only event, as a Chat Completions stream sends its chunks and {@code [DONE]}. */
    MessagesEventScript data(String data) {
        pending.add(new SseItem.Event(null, data));
        return this;
    }

    /** Ends the current network read: the events so far arrive together. */
    MessagesEventScript flush() {
        if (!pending.isEmpty()) {
            batches.add(List.copyOf(pending));
            pending.clear();
        }
        return this;
    }

    static String quoted(String text) {
        return write(JSON.getNodeFactory().textNode(text));
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(JsonNode json) {
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<SseItem> next() {
        flush();
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
    }
}
