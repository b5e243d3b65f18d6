package dev.tokenproxy.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The JSON documents of one Anthropic Messages reply (protocols.md §5), bound to the request they answer so that every
 * document carries the same message id and model; and, for a stream, the SSE events with their {@code event:} line
 * equal to their {@code type}.
 */
final class MessagesFrames {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String messageId;
    private final String model;
    private final boolean stream;

    MessagesFrames(String messageId, RecordedRequest request) {
        this.messageId = messageId;
        this.model = request.model();
        this.stream = request.stream();
    }

    boolean stream() {
        return stream;
    }

    /** A whole {@code message} with {@code content}, {@code stop_reason} and {@code usage}. */
    ObjectNode message(ArrayNode content, String stopReason, int inputTokens, int outputTokens) {
        ObjectNode message = JSON.createObjectNode().put("id", messageId).put("type", "message")
                .put("role", "assistant").put("model", model);
        message.set("content", content);
        message.put("stop_reason", stopReason);
        message.putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", outputTokens)
                .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", 0);
        return message;
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static ArrayNode array(JsonNode... items) {
        ArrayNode array = JSON.createArrayNode();
        for (JsonNode item : items) {
            array.add(item);
        }
        return array;
    }

    static ObjectNode text(String text) {
        return JSON.createObjectNode().put("type", "text").put("text", text);
    }

    static ObjectNode toolUse(String id, String name, String inputJson) {
        ObjectNode block = JSON.createObjectNode().put("type", "tool_use").put("id", id).put("name", name);
        try {
            block.set("input", JSON.readTree(inputJson));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tool input must be JSON: " + inputJson, e);
        }
        return block;
    }

    static ObjectNode thinking(String thinking, String signature) {
        return JSON.createObjectNode().put("type", "thinking").put("thinking", thinking).put("signature", signature);
    }

    /** {@code {"type":"error","error":{"type","message"}}}. */
    static String error(String type, String message) {
        ObjectNode root = JSON.createObjectNode().put("type", "error");
        root.putObject("error").put("type", type).put("message", message);
        return write(root);
    }

    static String write(JsonNode json) {
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree built here always serialises", e);
        }
    }

    EventStream eventStream(ResponseWriter out) {
        return new EventStream(out);
    }

    /** Sends Messages events, one flushed chunk each, {@code event:} naming the {@code type} as Anthropic does. */
    final class EventStream {
        private final ResponseWriter out;

        private EventStream(ResponseWriter out) {
            this.out = out;
        }

        /** The head and {@code message_start} with an empty content and the input usage. */
        void start(int inputTokens) throws IOException {
            out.startEventStream();
            ObjectNode started = message(JSON.createArrayNode(), null, inputTokens, 1);
            started.putNull("stop_reason");
            send("message_start", object().set("message", started));
        }

        void ping() throws IOException {
            send("ping", object());
        }

        void blockStart(int index, ObjectNode block) throws IOException {
            send("content_block_start", object().put("index", index).set("content_block", block));
        }

        void delta(int index, ObjectNode delta) throws IOException {
            send("content_block_delta", object().put("index", index).set("delta", delta));
        }

        void blockStop(int index) throws IOException {
            send("content_block_stop", object().put("index", index));
        }

        /** {@code message_delta} with the stop reason and the cumulative output tokens, then {@code message_stop}. */
        void finish(String stopReason, int outputTokens) throws IOException {
            ObjectNode delta = object();
            delta.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
            delta.putObject("usage").put("output_tokens", outputTokens);
            send("message_delta", delta);
            send("message_stop", object());
        }

        void send(String type, ObjectNode fields) throws IOException {
            ObjectNode event = object().put("type", type);
            event.setAll(fields);
            out.sendEvent(type, write(event));
        }

        /** {@code event: error} with {@code {"type":"error","error":{...}}}. */
        void error(String type, String message) throws IOException {
            out.sendEvent("error", MessagesFrames.error(type, message));
        }

        void end() throws IOException {
            out.endEventStream();
        }
    }
}
