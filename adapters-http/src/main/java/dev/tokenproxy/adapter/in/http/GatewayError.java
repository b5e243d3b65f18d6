package dev.tokenproxy.adapter.in.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * An error the gateway itself produces (not an upstream's), independent of the API it is written in: each inbound
 * format renders it in its own {@link ErrorShape}.
 */
record GatewayError(int status, String type, String code, String message, String param, boolean shouldRetry) {

    /**
     * The SDKs' own retry header (the OpenAI and Anthropic SDKs obey it before status and Retry-After): every
     * gateway error says whether sending the same request again can help.
     */
    static final String SHOULD_RETRY = "x-should-retry";

    /** The client's request is wrong: sending it again cannot help. */
    static GatewayError invalidRequest(int status, String code, String message) {
        return new GatewayError(status, "invalid_request_error", code, message, null, false);
    }

    /** The gateway or its upstreams failed this time; a retry may well succeed. */
    static GatewayError gateway(int status, String code, String message) {
        return new GatewayError(status, "api_error", code, message, null, true);
    }

    /** A failure of the gateway's configuration (no upstream, rejected credentials): a retry meets the same. */
    static GatewayError configuration(int status, String code, String message) {
        return new GatewayError(status, "api_error", code, message, null, false);
    }

    GatewayError withShouldRetry(boolean retry) {
        return new GatewayError(status, type, code, message, param, retry);
    }

    /** The gateway's own memory budget is spent: try again in a moment (sent with {@code Retry-After: 1}). */
    static GatewayError overloaded() {
        return gateway(503, "gateway_overloaded",
                "The gateway is at its limit of request and response bytes in flight; retry shortly.");
    }

    GatewayError withParam(String name) {
        return new GatewayError(status, type, code, message, name, shouldRetry);
    }

    /** The body in the OpenAI shape (what {@link ErrorShape#OPENAI} writes). */
    byte[] body() {
        return ErrorShape.OPENAI.body(this);
    }

    /** Sends this error in the OpenAI shape: the answer of every route that speaks no other format. */
    void send(ServerResponse res) {
        send(res, ErrorShape.OPENAI);
    }

    /** Sends this error in the shape of the client's API. */
    void send(ServerResponse res, ErrorShape shape) {
        res.status(status);
        res.header(SHOULD_RETRY, Boolean.toString(shouldRetry));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(shape.body(this));
    }
}
