package dev.tokenproxy.adapter.out.upstream.format.responses;

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
 * A recorded Responses upstream stream (protocols §2) played to a dialect through the pre-output gate: events are
 * written as JSON without their {@code sequence_number}, which the script adds counting from {@code firstNumber}.
 */
final class ResponsesEventScript implements FrameSource<SseItem> {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String RESPONSE = "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1700000000,"
            + "\"status\":\"in_progress\",\"model\":\"gpt-4.1\",\"error\":null,\"output\":[],\"usage\":null}";

    private final Deque<List<SseItem>> batches = new ArrayDeque<>();
    private final List<SseItem> pending = new ArrayList<>();
    private int number;
    boolean aborted;

    ResponsesEventScript(int firstNumber) {
        this.number = firstNumber;
    }

    static ResponsesEventScript fromZero() {
        return new ResponsesEventScript(0);
    }

    /** One event; {@code fields} is the JSON object after {@code type} and {@code sequence_number}. */
    ResponsesEventScript event(String type, String fields) {
        try {
            ObjectNode event = JSON.createObjectNode().put("type", type).put("sequence_number", number++);
            event.setAll((ObjectNode) JSON.readTree(fields));
            pending.add(new SseItem.Event(type, JSON.writeValueAsString(event)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Ends the current network read: the events so far arrive together. */
    ResponsesEventScript flush() {
        if (!pending.isEmpty()) {
            batches.add(List.copyOf(pending));
            pending.clear();
        }
        return this;
    }

    ResponsesEventScript created() {
        return event("response.created", "{\"response\":" + RESPONSE + "}")
                .event("response.in_progress", "{\"response\":" + RESPONSE + "}");
    }

    ResponsesEventScript messageAdded() {
        return event("response.output_item.added", "{\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\","
                + "\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}")
                .event("response.content_part.added", "{\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
                        + "\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}}");
    }

    ResponsesEventScript textDelta(String delta) {
        return event("response.output_text.delta", "{\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
                + "\"delta\":" + quoted(delta) + "}");
    }

    ResponsesEventScript terminal(String type, String status, String output, String usage, String incomplete) {
        return event(type, "{\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1700000000,"
                + "\"status\":\"" + status + "\",\"model\":\"gpt-4.1\",\"error\":null,\"incomplete_details\":"
                + (incomplete == null ? "null" : "{\"reason\":\"" + incomplete + "\"}") + ",\"output\":" + output
                + ",\"usage\":" + usage + "}}");
    }

    ResponsesEventScript completedWithText(String text) {
        return terminal("response.completed", "completed", "[" + message(text) + "]", USAGE, null);
    }

    ResponsesEventScript failed(String code, String message) {
        return event("response.failed", "{\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"failed\","
                + "\"model\":\"gpt-4.1\",\"output\":[],\"error\":{\"code\":\"" + code + "\",\"message\":"
                + quoted(message) + "}}}");
    }

    static final String USAGE = "{\"input_tokens\":12,\"input_tokens_details\":{\"cached_tokens\":8},"
            + "\"output_tokens\":30,\"output_tokens_details\":{\"reasoning_tokens\":20},\"total_tokens\":42}";

    static String message(String text) {
        return "{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":"
                + "[{\"type\":\"output_text\",\"text\":" + quoted(text) + ",\"annotations\":[]}]}";
    }

    static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
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
        aborted = true;
    }
}
