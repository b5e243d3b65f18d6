package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.nio.charset.StandardCharsets;
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
        ObjectNode root = ChatJson.mapper().createObjectNode().put("type", "error");
        root.putObject("error").put("type", type).put("message", message);
        return root;
    }

    /**
     * An Anthropic error body in the OpenAI shape {@code {"error":{"message","type","param","code"}}}, for a Chat client
     * served by a Messages upstream: the type is kept (the SDKs go by the status), the code is the one the message
     * implies, if any. A body that is not an Anthropic error is passed on as it is.
     */
    public static byte[] asOpenAi(byte[] anthropicBody) {
        return ChatJson.object(anthropicBody)
                .map(document -> document.get("error"))
                .filter(JsonNode::isObject)
                .map(error -> {
                    ObjectNode root = ChatJson.mapper().createObjectNode();
                    String message = ChatJson.scalar(error, "message");
                    root.putObject("error")
                            .put("message", message == null ? "" : message)
                            .put("type", ChatJson.scalar(error, "type"))
                            .putNull("param")
                            .put("code", codeOf(message));
                    return ChatJson.bytes(root);
                })
                .orElse(anthropicBody);
    }

    /**
     * An OpenAI error body in Anthropic's shape, for a Messages client served by an OpenAI-style upstream. The type is
     * Anthropic's for the status, since the Anthropic SDKs and Claude Code read the type; a body that is not an OpenAI
     * error becomes one with the body's text as its message.
     */
    public static byte[] fromOpenAi(int status, byte[] openAiBody) {
        String message = ChatJson.object(openAiBody)
                .map(document -> document.get("error"))
                .filter(JsonNode::isObject)
                .map(error -> ChatJson.scalar(error, "message"))
                .orElseGet(() -> new String(openAiBody, StandardCharsets.UTF_8).strip());
        return body(typeFor(status), message == null || message.isEmpty() ? "HTTP " + status : message);
    }

    /** Anthropic's error type for an HTTP status (protocols §5). */
    static String typeFor(int status) {
        return switch (status) {
            case 400, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402, 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            case 408, 504 -> "timeout_error";
            default -> "api_error";
        };
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
