package dev.tokenproxy.adapter.out.upstream.eventstream;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One decoded message of an AWS event stream ({@code application/vnd.amazon.eventstream}), both CRCs verified.
 * Providers read it through this type so that none of them depends on the AWS library.
 *
 * @param headers every header as text (string headers as they are, other types in their usual text form)
 * @param payload the payload bytes, usually UTF-8 JSON
 */
public record EventStreamMessage(Map<String, String> headers, byte[] payload) {

    public static final String MESSAGE_TYPE = ":message-type";
    public static final String EVENT_TYPE = ":event-type";
    public static final String EXCEPTION_TYPE = ":exception-type";
    public static final String ERROR_CODE = ":error-code";
    public static final String ERROR_MESSAGE = ":error-message";

    public EventStreamMessage {
        headers = Map.copyOf(headers);
        Objects.requireNonNull(payload, "payload");
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    /** {@code event}, {@code exception} or {@code error}; {@code event} when the header is absent, as AWS SDKs read it. */
    public String messageType() {
        return headers.getOrDefault(MESSAGE_TYPE, "event");
    }

    /** {@code :event-type}, {@code :exception-type} or {@code :error-code}, whichever the message type uses. */
    public Optional<String> type() {
        return switch (messageType()) {
            case "exception" -> header(EXCEPTION_TYPE);
            case "error" -> header(ERROR_CODE);
            default -> header(EVENT_TYPE);
        };
    }

    @Override
    public String toString() {
        return "EventStreamMessage[" + messageType() + " " + type().orElse("?") + ", " + payload.length + " bytes]";
    }
}
