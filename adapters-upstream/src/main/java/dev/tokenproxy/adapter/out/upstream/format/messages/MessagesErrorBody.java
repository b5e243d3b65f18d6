package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.util.Locale;

/**
 * Anthropic's error shape {@code {"type":"error","error":{"type","message"}}} (protocols §5), read for
 * classification and written for the errors the gateway itself reports to a Messages client.
 *
 * <p>Anthropic has no error codes, only types: every client mistake is {@code invalid_request_error}, and so are a
 * prompt that is too long and an account out of credit. The few messages that mean something else for failover are
 * given the code the classification rows already know, so one table decides.
 */
public final class MessagesErrorBody {

    /** The code of a 400 that says the prompt does not fit the model: request-scoped, like OpenAI's. */
    public static final String CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded";
    /** The code of a 400 that says the key's organisation has no credit left: the credential's failure. */
    public static final String CREDIT_BALANCE_TOO_LOW = "credit_balance_too_low";

    private MessagesErrorBody() {
    }

    /** The signal with the body's error type and, when its message says one, a code; other bodies add nothing. */
    public static AttemptSignal describe(AttemptSignal signal, byte[] body) {
        return ChatJson.object(body)
                .map(document -> document.get("error"))
                .filter(JsonNode::isObject)
                .map(error -> signal.withError(ChatJson.scalar(error, "type"),
                        codeOf(ChatJson.scalar(error, "message")), false))
                .orElse(signal);
    }

    /** The signal for an in-stream {@code error} event's {@code error} object. */
    public static AttemptSignal describe(AttemptSignal signal, JsonNode error) {
        if (error == null || !error.isObject()) {
            return signal;
        }
        return signal.withError(ChatJson.scalar(error, "type"), codeOf(ChatJson.scalar(error, "message")), false);
    }

    /** {@code {"type":"error","error":{"type":type,"message":message}}}. */
    public static byte[] body(String type, String message) {
        return ChatJson.bytes(node(type, message));
    }

    /** The same as a tree, e.g. for the data of an {@code error} event. */
    public static ObjectNode node(String type, String message) {
        ObjectNode root = ChatJson.MAPPER.createObjectNode().put("type", "error");
        root.putObject("error").put("type", type).put("message", message);
        return root;
    }

    // Anthropic's wording ("prompt is too long: 210000 tokens > 200000 maximum"; "Your credit balance is too low
    // to access the Anthropic API"); matched loosely because the numbers and the sentence around them vary.
    private static String codeOf(String message) {
        if (message == null) {
            return null;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("prompt is too long") || lower.contains("context window")) {
            return CONTEXT_LENGTH_EXCEEDED;
        }
        if (lower.contains("credit balance")) {
            return CREDIT_BALANCE_TOO_LOW;
        }
        return null;
    }
}
