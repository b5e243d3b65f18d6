package dev.tokenproxy.adapter.out.upstream.kiro;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesErrorBody;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.util.Locale;
import java.util.Optional;

/**
 * Kiro's error answers {@code {"__type":"…#Name","message","reason"}} (protocols.md §4, "Errors"): read once into the
 * signal the classification rows match (type = the name after {@code #}, code = the {@code reason}, or one read from
 * a message whose meaning only its words carry), and rewritten in Anthropic's error shape for the Messages client.
 */
final class KiroErrorBody {

    /** A 403 that means the access token is stale, not that the account is refused: a refresh cures it. */
    static final String BEARER_TOKEN_INVALID = "BEARER_TOKEN_INVALID";
    static final String TEMPORARILY_SUSPENDED = "TEMPORARILY_SUSPENDED";
    static final String SUSPICIOUS_ACTIVITY = "SUSPICIOUS_ACTIVITY";
    static final String INSUFFICIENT_MODEL_CAPACITY = "INSUFFICIENT_MODEL_CAPACITY";
    static final String MONTHLY_REQUEST_COUNT = "MONTHLY_REQUEST_COUNT";
    static final String VALIDATION_EXCEPTION = "ValidationException";
    /** Kiro's reason for "Input is too long." (public proxies); both mean the prompt does not fit. */
    private static final String CONTENT_LENGTH_EXCEEDS_THRESHOLD = "CONTENT_LENGTH_EXCEEDS_THRESHOLD";

    private KiroErrorBody() {
    }

    /**
     * @param headerType {@code x-amzn-ErrorType}, used when the body names no type
     */
    static AttemptSignal describe(AttemptSignal signal, byte[] body, Optional<String> headerType) {
        Optional<ObjectNode> json = ChatJson.object(body);
        String type = json.map(error -> ChatJson.scalar(error, "__type")).map(KiroErrorBody::shortName)
                .or(() -> headerType.map(KiroErrorBody::shortName)).orElse(null);
        String reason = json.map(error -> ChatJson.scalar(error, "reason")).filter(r -> !r.isBlank()).orElse(null);
        String message = json.map(error -> ChatJson.scalar(error, "message")).orElse("");
        return signal.withError(type, codeOf(reason, message), false);
    }

    /** The message Kiro gave, for the client's error body; never more of Kiro's body than that. */
    static String message(byte[] body) {
        return ChatJson.object(body).map(error -> ChatJson.scalar(error, "message")).filter(m -> !m.isBlank())
                .orElse("The Kiro upstream refused the request.");
    }

    /** Anthropic's error body for a Kiro refusal reported under {@code status}. */
    static byte[] shown(int status, byte[] kiroBody) {
        return MessagesErrorBody.body(anthropicType(status), message(kiroBody));
    }

    /** The Anthropic error type a client expects with this status (protocols.md §5, "Errors"). */
    static String anthropicType(int status) {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402, 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            default -> "api_error";
        };
    }

    // The words of Kiro's messages (protocols.md §4, from public proxies): matched loosely because the sentence
    // around them varies. A reason in the body wins over them.
    private static String codeOf(String reason, String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (CONTENT_LENGTH_EXCEEDS_THRESHOLD.equals(reason) || lower.contains("input is too long")) {
            return MessagesErrorBody.CONTEXT_LENGTH_EXCEEDED;
        }
        if (reason != null) {
            return reason;
        }
        if (lower.contains("bearer token") && lower.contains("invalid")) {
            return BEARER_TOKEN_INVALID;
        }
        if (lower.contains("suspended")) {
            return TEMPORARILY_SUSPENDED;
        }
        if (lower.contains("suspicious activity")) {
            return SUSPICIOUS_ACTIVITY;
        }
        return null;
    }

    /** {@code com.amazon.aws.codewhisperer#ThrottlingException} → {@code ThrottlingException}; also drops {@code :…}. */
    private static String shortName(String awsType) {
        String name = awsType.substring(awsType.indexOf('#') + 1);
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }
}
