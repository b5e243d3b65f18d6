package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.sse.SseFormatException;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.sse.SseParser;
import dev.tokenproxy.application.model.ReplyStream;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The buffering sink for upstreams that only stream (Codex): reads a committed stream of Responses events to its end
 * and keeps the response object of its terminal event ({@code response.completed}, {@code .incomplete} or
 * {@code .failed}) — the one body a non-stream client gets (convert it with {@link ResponseToChatCompletion} for a
 * Chat client); its {@code status} says whether it is an answer or a failure.
 *
 * <p>The Codex backend may end with a {@code response.completed} whose {@code output} is empty although the items
 * were streamed (protocols §3); the output is then rebuilt from the {@code response.output_item.done} events, in
 * {@code output_index} order.
 */
public final class ResponsesStreamAggregate {

    private ResponsesStreamAggregate() {
    }

    /**
     * @return the terminal response object, or empty when the stream ended without one (a cut, a malformed event)
     */
    public static Optional<byte[]> collect(ReplyStream stream) {
        var parser = new SseParser();
        var doneItems = new TreeMap<Integer, JsonNode>();
        ObjectNode last = null;
        try (stream) {
            byte[] frame;
            while ((frame = stream.next()) != null) {
                for (SseItem item : parser.feed(frame, 0, frame.length)) {
                    if (item instanceof SseItem.Event event) {
                        var data = ChatJson.object(event.data());
                        if (data.isEmpty()) {
                            continue;
                        }
                        String type = data.get().path("type").asText();
                        if ("response.output_item.done".equals(type) && data.get().path("item").isObject()) {
                            doneItems.put(data.get().path("output_index").asInt(doneItems.size()),
                                    data.get().get("item"));
                        } else if (isTerminal(type) && data.get().get("response") instanceof ObjectNode response) {
                            last = response;
                        }
                    }
                }
            }
        } catch (SseFormatException malformed) {
            return Optional.empty();
        }
        if (last == null) {
            return Optional.empty();
        }
        if (!"failed".equals(last.path("status").asText()) && last.path("output").isEmpty() && !doneItems.isEmpty()) {
            ArrayNode output = last.putArray("output");
            doneItems.values().forEach(output::add);
        }
        return Optional.of(ChatJson.bytes(last));
    }

    private static boolean isTerminal(String type) {
        return "response.completed".equals(type) || "response.incomplete".equals(type)
                || "response.failed".equals(type);
    }
}
