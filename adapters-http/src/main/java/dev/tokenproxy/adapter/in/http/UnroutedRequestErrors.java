package dev.tokenproxy.adapter.in.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Answers the requests Helidon refuses before they reach the routing (an HTTP/1.0 request line, broken headers or
 * framing, too many concurrent requests) in the OpenAI error shape, like every other error the gateway produces.
 */
final class UnroutedRequestErrors implements DirectHandler {

    /** Also what nginx ({@code proxy_pass} speaks 1.0 by default) and HAProxy health checks need; see ADR 0005. */
    static final String HTTP_1_1_REQUIRED = "HTTP/1.1 required; for nginx set proxy_http_version 1.1; for HAProxy "
            + "health checks send HTTP/1.1 (http-check send meth GET uri /health ver HTTP/1.1 hdr Host <host>)";
    /** What {@link DirectHandler}'s default passes instead of a message it does not consider safe to send. */
    private static final String HELIDON_PLACEHOLDER = "Bad request, see server log";

    private UnroutedRequestErrors() {
    }

    static DirectHandlers forEveryEvent() {
        var handler = new UnroutedRequestErrors();
        var handlers = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            handlers.addHandler(type, handler);
        }
        return handlers.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders headers, String message) {
        GatewayError error = error(eventType, defaultStatus, message);
        headers.set(HeaderValues.CONTENT_TYPE_JSON);
        headers.set(HeaderNames.create(GatewayError.SHOULD_RETRY), Boolean.toString(error.shouldRetry()));
        return TransportResponse.builder()
                .status(defaultStatus)
                .headers(headers)
                .entity(error.body())
                .build();
    }

    private static GatewayError error(EventType eventType, Status status, String message) {
        int code = status.code();
        return switch (eventType) {
            case HTTP_VERSION_NOT_SUPPORTED -> GatewayError.invalidRequest(code, "http_version_not_supported",
                    HTTP_1_1_REQUIRED);
            case PAYLOAD_TOO_LARGE -> GatewayError.invalidRequest(code, "request_too_large",
                    "The request body is too large.");
            case BAD_REQUEST, FORBIDDEN, INTERNAL_ERROR, OTHER -> code < 500
                    ? GatewayError.invalidRequest(code, codeFor(status), describe(status, message))
                    : GatewayError.gateway(code, codeFor(status), describe(status, message));
        };
    }

    private static String codeFor(Status status) {
        return switch (status.code()) {
            case 400 -> "bad_request";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 500 -> "internal_error";
            case 503 -> "overloaded";
            default -> "http_" + status.code();
        };
    }

    /**
     * For a 4xx, Helidon's own text when it considers it safe to send (it names the framing problem); otherwise, and
     * always for a 5xx whose text could be an internal exception message, only the reason phrase.
     */
    private static String describe(Status status, String message) {
        if (status.code() >= 500 || message == null || message.isBlank() || message.startsWith(HELIDON_PLACEHOLDER)) {
            return status.reasonPhrase() + ".";
        }
        return status.reasonPhrase() + ": " + message;
    }
}
