package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.adapter.out.upstream.stream.StreamBreak;

/** What Messages stream events mean for the pre-output boundary, and the {@code error} event that ends a stream. */
public final class MessagesEvents {

    private MessagesEvents() {
    }

    /**
     * A block that is output as soon as it starts: a tool call (its name is already an answer), or a text or thinking
     * block that arrives with its content instead of in deltas.
     */
    static boolean blockCarriesOutput(JsonNode block) {
        return switch (block.path("type").asText("")) {
            case "tool_use", "server_tool_use" -> true;
            case "text" -> !block.path("text").asText("").isEmpty();
            case "thinking" -> !block.path("thinking").asText("").isEmpty();
            case "redacted_thinking" -> true;
            default -> false;
        };
    }

    /** A delta with something in it; a signature alone proves nothing was said. */
    static boolean deltaCarriesOutput(JsonNode delta) {
        return switch (delta.path("type").asText("")) {
            case "text_delta" -> !delta.path("text").asText("").isEmpty();
            case "thinking_delta" -> !delta.path("thinking").asText("").isEmpty();
            case "input_json_delta" -> !delta.path("partial_json").asText("").isEmpty();
            default -> false;
        };
    }

    /** {@code event: error} with the upstream's error when it gave one, else one naming why the stream ended. */
    public static byte[] errorEvent(StreamBreak why, JsonNode upstreamError) {
        if (upstreamError != null && upstreamError.isObject()) {
            var root = ChatJson.mapper().createObjectNode().put("type", "error");
            root.set("error", upstreamError.deepCopy());
            return SseFrames.event("error", ChatJson.text(root));
        }
        String message = switch (why) {
            case ERROR_EVENT -> "The upstream failed the response after it had started.";
            case MALFORMED -> "The upstream sent an event that cannot be read; the response is incomplete.";
            case TIMED_OUT -> "The upstream went silent; the response is incomplete.";
            case BROKEN -> "The upstream connection ended before the response was complete.";
        };
        String type = why == StreamBreak.TIMED_OUT ? "timeout_error" : "api_error";
        return SseFrames.event("error", ChatJson.text(MessagesErrorBody.node(type, message)));
    }
}
