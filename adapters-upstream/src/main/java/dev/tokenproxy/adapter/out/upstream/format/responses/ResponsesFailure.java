package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;

/**
 * A Responses upstream's failure after HTTP 200: a {@code failed} response's {@code error}, or a top-level
 * {@code error} event (protocols §2). Both carry {@code {code, message}} (sometimes {@code type}, {@code param}).
 *
 * <p>The signal stays honest about what happened: nothing deliverable came from a 2xx (status 502, fault
 * {@link Fault#STREAM_BROKEN_BEFORE_OUTPUT}), with the upstream's error code and the wait its message names. What a
 * code means (a request-scoped rejection, a rate limit) is said by the provider's classification rows.
 */
public final class ResponsesFailure {

    /** Post-processing found nothing deliverable in a 2xx (behaviour §2: "status 502"). */
    static final int REJECTED_2XX_STATUS = 502;

    private ResponsesFailure() {
    }

    /** The signal for an upstream error object; a missing or odd one gives a plain failure before output. */
    public static AttemptSignal signal(String provider, JsonNode error) {
        AttemptSignal signal = AttemptSignal.http(provider, REJECTED_2XX_STATUS)
                .withFault(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
        if (error == null || !error.isObject()) {
            return signal;
        }
        return signal.withError(ChatJson.scalar(error, "type"), ChatJson.scalar(error, "code"),
                        ChatJson.present(error, "param"))
                .withWaitHint(RetryHintText.parse(ChatJson.scalar(error, "message")));
    }

    /**
     * The error as an OpenAI error body {@code {"error":{"message","type","param","code"}}}, the shape both Chat and
     * Responses clients read, so the client learns the upstream's reason when this is the answer it gets.
     */
    public static byte[] errorBody(JsonNode error) {
        JsonNode source = error != null && error.isObject() ? error : Shape.newObject();
        ObjectNode body = Shape.newObject();
        ObjectNode out = body.putObject("error");
        String message = ChatJson.scalar(source, "message");
        out.put("message", message == null ? "The upstream failed the response." : message);
        String type = ChatJson.scalar(source, "type");
        out.put("type", type == null ? "upstream_error" : type);
        Shape.copy(source, "param", out);
        if (!out.has("param")) {
            out.putNull("param");
        }
        String code = ChatJson.scalar(source, "code");
        if (code == null) {
            out.putNull("code");
        } else {
            out.put("code", code);
        }
        return ChatJson.bytes(body);
    }
}
