package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;
import dev.tokenproxy.adapter.out.upstream.stream.StreamBreak;

/** What the Responses stream dialects read alike from an upstream event (protocols §2). */
final class ResponsesEvents {

    private ResponsesEvents() {
    }

    /**
     * Real output for the pre-output boundary: a non-empty delta of any kind (text, refusal, reasoning, arguments,
     * audio), or a {@code *.done} whose text, arguments, part or item carries something. {@code *.added} events
     * announce an empty item or part and are never output on their own.
     */
    static boolean carriesOutput(String type, JsonNode event) {
        if (type.endsWith(".delta")) {
            return nonEmpty(event, "delta");
        }
        if (type.endsWith(".done")) {
            return nonEmpty(event, "text") || nonEmpty(event, "arguments") || nonEmpty(event, "refusal")
                    || nonEmpty(event.path("part"), "text")
                    || event.path("item").isObject() && ResponsesOutput.carries(event.path("item"));
        }
        return false;
    }

    /** The {@code error} of a {@code response.failed} the gateway writes for a stream it had to end early. */
    static ObjectNode interruptionError(StreamBreak why, JsonNode upstreamError) {
        ObjectNode error = Shape.newObject();
        String upstreamCode = upstreamError == null ? null : ChatJson.scalar(upstreamError, "code");
        String upstreamMessage = upstreamError == null ? null : ChatJson.scalar(upstreamError, "message");
        if (why == StreamBreak.ERROR_EVENT && upstreamCode != null) {
            error.put("code", upstreamCode);
        } else {
            error.put("code", why == StreamBreak.TIMED_OUT ? "upstream_timeout" : "stream_interrupted");
        }
        error.put("message", why == StreamBreak.ERROR_EVENT && upstreamMessage != null ? upstreamMessage
                : switch (why) {
                    case ERROR_EVENT -> "The upstream reported an error before completing the response.";
                    case MALFORMED -> "The upstream sent a malformed stream event.";
                    case TIMED_OUT -> "The upstream went silent before completing the response.";
                    case BROKEN -> "The upstream connection ended before the response was complete.";
                });
        return error;
    }

    private static boolean nonEmpty(JsonNode parent, String field) {
        JsonNode value = parent.get(field);
        return value != null && value.isTextual() && !value.textValue().isEmpty();
    }
}
