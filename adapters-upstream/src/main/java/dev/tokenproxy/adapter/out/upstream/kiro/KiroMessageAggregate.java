package dev.tokenproxy.adapter.out.upstream.kiro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Anthropic Messages events of one Kiro answer folded into the one {@code message} a non-stream client gets
 * (protocols.md §4, "Non-stream: buffer, emit one message"): blocks in their order, text and thinking concatenated, a
 * tool call's input fragments joined and parsed, the stop reason and usage of {@code message_delta}. Not thread-safe:
 * one per attempt, fed on the thread that drives the gate.
 */
final class KiroMessageAggregate implements Consumer<ObjectNode> {

    private ObjectNode message;
    private final Map<Integer, ObjectNode> blocks = new HashMap<>();
    private final Map<Integer, StringBuilder> toolInputs = new HashMap<>();
    private boolean stopped;

    @Override
    public void accept(ObjectNode event) {
        switch (event.path("type").asText("")) {
            case "message_start" -> message = (ObjectNode) event.path("message").deepCopy();
            case "content_block_start" -> start(event.path("index").asInt(), event.path("content_block"));
            case "content_block_delta" -> delta(event.path("index").asInt(), event.path("delta"));
            case "content_block_stop" -> stop(event.path("index").asInt());
            case "message_delta" -> finish(event);
            case "message_stop" -> stopped = true;
            default -> { }
        }
    }

    /** The whole message, or empty when the answer did not come to its end (then it must not be delivered). */
    Optional<byte[]> message() {
        if (message == null || !stopped) {
            return Optional.empty();
        }
        return Optional.of(ChatJson.bytes(message));
    }

    private void start(int index, JsonNode block) {
        if (message == null || !block.isObject()) {
            return;
        }
        ObjectNode copy = block.deepCopy();
        ((ArrayNode) message.withArray("content")).add(copy);
        blocks.put(index, copy);
        if ("tool_use".equals(copy.path("type").asText())) {
            toolInputs.put(index, new StringBuilder());
        }
    }

    private void delta(int index, JsonNode delta) {
        ObjectNode block = blocks.get(index);
        if (block == null) {
            return;
        }
        switch (delta.path("type").asText("")) {
            case "text_delta" -> block.put("text", block.path("text").asText("") + delta.path("text").asText(""));
            case "thinking_delta" -> block.put("thinking",
                    block.path("thinking").asText("") + delta.path("thinking").asText(""));
            case "input_json_delta" -> toolInputs.computeIfAbsent(index, i -> new StringBuilder())
                    .append(delta.path("partial_json").asText(""));
            default -> { }
        }
    }

    private void stop(int index) {
        StringBuilder input = toolInputs.remove(index);
        if (input != null && blocks.containsKey(index)) {
            blocks.get(index).set("input", parsedInput(input.toString()));
        }
    }

    private void finish(ObjectNode messageDelta) {
        if (message == null) {
            return;
        }
        messageDelta.path("delta").fields().forEachRemaining(field -> message.set(field.getKey(), field.getValue()));
        if (messageDelta.path("usage").isObject()) {
            message.set("usage", messageDelta.get("usage").deepCopy());
        }
    }

    /**
     * The joined input fragments. Kiro may cut a call's input short; an input that does not parse is kept whole as
     * text under {@code _raw} rather than dropped, so the client sees what the model sent.
     */
    private static JsonNode parsedInput(String json) {
        if (json.isBlank()) {
            return ChatJson.mapper().createObjectNode();
        }
        try {
            JsonNode parsed = ChatJson.mapper().readTree(json);
            return parsed != null && parsed.isObject() ? parsed : ChatJson.mapper().createObjectNode().put("_raw", json);
        } catch (JsonProcessingException e) {
            return ChatJson.mapper().createObjectNode().put("_raw", json);
        }
    }
}
