package dev.tokenproxy.adapter.out.upstream.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MockAnswer} as the OpenAI Responses API writes it (protocols §2): a response object, or the event sequence
 * of one text message with consecutive {@code sequence_number}s from 0.
 */
final class MockResponsesWire {

    private MockResponsesWire() {
    }

    static byte[] response(MockAnswer answer) {
        return ChatJson.bytes(response(answer, "completed"));
    }

    static MockEvents events(MockAnswer answer) {
        var stream = new Sequence();
        stream.add("response.created", event -> event.set("response", response(answer, "in_progress")));
        stream.add("response.in_progress", event -> event.set("response", response(answer, "in_progress")));
        if (answer.chunks().isEmpty()) {
            stream.add("response.completed", event -> event.set("response", response(answer, "completed")));
            return new MockEvents(stream.frames, stream.frames.size());
        }
        String itemId = messageId(answer);
        stream.add("response.output_item.added", event -> event.put("output_index", 0)
                .set("item", message(answer, "in_progress", List.of())));
        stream.add("response.content_part.added", event -> part(event, itemId).set("part", outputText("")));
        int firstOutput = stream.frames.size();
        for (String word : answer.chunks()) {
            stream.add("response.output_text.delta", event -> part(event, itemId).put("delta", word));
        }
        stream.add("response.output_text.done", event -> part(event, itemId).put("text", answer.text()));
        stream.add("response.content_part.done", event -> part(event, itemId).set("part",
                outputText(answer.text())));
        stream.add("response.output_item.done", event -> event.put("output_index", 0)
                .set("item", message(answer, "completed", answer.chunks())));
        stream.add("response.completed", event -> event.set("response", response(answer, "completed")));
        return new MockEvents(stream.frames, firstOutput);
    }

    /** The events written so far, each numbered one after the other. */
    private static final class Sequence {
        private final List<byte[]> frames = new ArrayList<>();

        void add(String type, java.util.function.Consumer<ObjectNode> fields) {
            ObjectNode event = ChatJson.mapper().createObjectNode().put("type", type)
                    .put("sequence_number", frames.size());
            fields.accept(event);
            frames.add(SseFrames.event(type, ChatJson.text(event)));
        }
    }

    /** A response snapshot: in progress it has no output and no usage yet, as the real API sends it. */
    private static ObjectNode response(MockAnswer answer, String status) {
        ObjectNode response = ChatJson.mapper().createObjectNode().put("id", "resp_" + answer.id())
                .put("object", "response").put("created_at", answer.created()).put("status", status)
                .put("model", answer.model());
        response.putNull("error");
        response.putNull("incomplete_details");
        boolean done = "completed".equals(status);
        var output = response.putArray("output");
        if (done && !answer.chunks().isEmpty()) {
            output.add(message(answer, "completed", answer.chunks()));
        }
        if (done) {
            ObjectNode usage = response.putObject("usage").put("input_tokens", answer.inputTokens());
            usage.putObject("input_tokens_details").put("cached_tokens", 0);
            usage.put("output_tokens", answer.outputTokens());
            usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
            usage.put("total_tokens", answer.inputTokens() + answer.outputTokens());
        } else {
            response.putNull("usage");
        }
        return response;
    }

    private static ObjectNode message(MockAnswer answer, String status, List<String> chunks) {
        ObjectNode item = ChatJson.mapper().createObjectNode().put("id", messageId(answer)).put("type", "message")
                .put("status", status).put("role", "assistant");
        var content = item.putArray("content");
        if (!chunks.isEmpty()) {
            content.add(outputText(String.join("", chunks)));
        }
        return item;
    }

    private static ObjectNode outputText(String text) {
        ObjectNode part = ChatJson.mapper().createObjectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        return part;
    }

    private static ObjectNode part(ObjectNode event, String itemId) {
        return event.put("item_id", itemId).put("output_index", 0).put("content_index", 0);
    }

    private static String messageId(MockAnswer answer) {
        return "msg_" + answer.id();
    }
}
