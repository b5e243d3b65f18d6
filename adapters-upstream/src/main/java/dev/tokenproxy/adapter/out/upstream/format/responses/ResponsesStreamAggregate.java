package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.sse.SseFormatException;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.sse.SseParser;
import dev.tokenproxy.application.model.ReplyStream;
import java.util.Optional;

/**
 * The buffering sink for upstreams that only stream (Codex): reads a committed stream of Responses events to its end
 * and keeps the response object of its terminal {@code response.completed} or {@code response.incomplete} event —
 * the one body a non-stream client gets (convert it with {@link ResponseToChatCompletion} for a Chat client).
 */
public final class ResponsesStreamAggregate {

    private ResponsesStreamAggregate() {
    }

    /**
     * @return the final response object, or empty when the stream ended without a deliverable terminal event
     *         (a {@code response.failed}, an error, a cut)
     */
    public static Optional<byte[]> collect(ReplyStream stream) {
        var parser = new SseParser();
        JsonNode last = null;
        try (stream) {
            byte[] frame;
            while ((frame = stream.next()) != null) {
                for (SseItem item : parser.feed(frame, 0, frame.length)) {
                    if (item instanceof SseItem.Event event) {
                        var data = ChatJson.object(event.data());
                        if (data.isPresent() && isDeliverableEnd(data.get().path("type").asText())) {
                            last = data.get().get("response");
                        }
                    }
                }
            }
        } catch (SseFormatException malformed) {
            return Optional.empty();
        }
        return last == null || !last.isObject() ? Optional.empty() : Optional.of(ChatJson.bytes(last));
    }

    private static boolean isDeliverableEnd(String type) {
        return "response.completed".equals(type) || "response.incomplete".equals(type);
    }
}
