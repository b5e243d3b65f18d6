package dev.tokenproxy.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The JSON documents of one OpenAI Responses reply (protocols.md §2), bound to the request they answer so that every
 * document carries the same response id, message item id, creation time and model; and, for a stream, the numbering
 * of its events.
 */
final class ResponsesFrames {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String responseId;
    private final String messageId;
    private final long createdAt;
    private final String model;
    private final boolean stream;

    ResponsesFrames(String responseId, String messageId, long createdAt, RecordedRequest request) {
        this.responseId = responseId;
        this.messageId = messageId;
        this.createdAt = createdAt;
        this.model = request.model();
        this.stream = request.stream();
    }

    boolean stream() {
        return stream;
    }

    String model() {
        return model;
    }

    String messageId() {
        return messageId;
    }

    /** An SSE stream of Responses events, numbered from 0 in the order they are sent. */
    EventStream eventStream(ResponseWriter out) {
        return new EventStream(out);
    }

    /**
     * The response object: {@code status} with its {@code output} items, {@code usage} (null while in progress or
     * after a failure), {@code error} (for {@code failed}) and the {@code incomplete_details} reason (for
     * {@code incomplete}), each null when not given.
     */
    ObjectNode response(String status, ArrayNode output, ResponsesReply.Usage usage, ObjectNode error,
                        String incompleteReason) {
        ObjectNode response = JSON.createObjectNode()
                .put("id", responseId).put("object", "response").put("created_at", createdAt)
                .put("status", status).put("model", model);
        response.set("error", error);
        if (incompleteReason == null) {
            response.putNull("incomplete_details");
        } else {
            response.putObject("incomplete_details").put("reason", incompleteReason);
        }
        response.set("output", output == null ? JSON.createArrayNode() : output);
        response.set("usage", usage == null ? null : usage(usage));
        return response;
    }

    /** An assistant message item; {@code text} null gives it no content part yet (as when it is just added). */
    ObjectNode messageItem(String status, String text) {
        ObjectNode item = JSON.createObjectNode()
                .put("id", messageId).put("type", "message").put("status", status).put("role", "assistant");
        ArrayNode content = item.putArray("content");
        if (text != null) {
            content.add(outputText(text));
        }
        return item;
    }

    ObjectNode outputText(String text) {
        ObjectNode part = JSON.createObjectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        return part;
    }

    static ArrayNode array(JsonNode... items) {
        ArrayNode array = JSON.createArrayNode();
        for (JsonNode item : items) {
            array.add(item);
        }
        return array;
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** {@code {"code","message"}}: the {@code error} of a failed response. */
    static ObjectNode responseError(String code, String message) {
        return JSON.createObjectNode().put("code", code).put("message", message);
    }

    /** The OpenAI error body {@code {"error":{"message","type","param":null,"code"}}} of an HTTP error status. */
    static String httpError(String type, String code, String message) {
        ObjectNode error = JSON.createObjectNode().put("message", message).put("type", type)
                .putNull("param").put("code", code);
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        return write(body);
    }

    private static ObjectNode usage(ResponsesReply.Usage usage) {
        ObjectNode node = JSON.createObjectNode().put("input_tokens", usage.inputTokens());
        node.putObject("input_tokens_details").put("cached_tokens", usage.cachedTokens());
        node.put("output_tokens", usage.outputTokens());
        node.putObject("output_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
        node.put("total_tokens", usage.inputTokens() + usage.outputTokens());
        return node;
    }

    static String write(JsonNode json) {
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree built here always serialises", e);
        }
    }

    /**
     * Sends Responses events: {@code event: <type>} and {@code data: {"type":<type>,"sequence_number":n,...}}, with
     * {@code n} counting from 0 across the whole stream, one flushed chunk per event.
     */
    static final class EventStream {
        private final ResponseWriter out;
        private int sequenceNumber;

        private EventStream(ResponseWriter out) {
            this.out = out;
        }

        void start() throws IOException {
            out.startEventStream();
        }

        /** Sends the event {@code type} with {@code fields} after its type and sequence number. */
        void send(String type, ObjectNode fields) throws IOException {
            ObjectNode event = JSON.createObjectNode().put("type", type).put("sequence_number", sequenceNumber++);
            event.setAll(fields);
            out.sendEvent(type, write(event));
        }

        /** Ends the body properly; whether a terminal event came before is the caller's script. */
        void end() throws IOException {
            out.endEventStream();
        }
    }
}
