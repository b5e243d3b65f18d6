package dev.tokenproxy.adapter.in.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * An error the gateway itself produces (not an upstream's), independent of the API it is written in: each inbound
 * format renders it in its own {@link ErrorShape}.
 */
record GatewayError(int status, String type, String code, String message, String param) {

    static GatewayError invalidRequest(int status, String code, String message) {
        return new GatewayError(status, "invalid_request_error", code, message, null);
    }

    static GatewayError gateway(int status, String code, String message) {
        return new GatewayError(status, "api_error", code, message, null);
    }

    /** The gateway's own memory budget is spent: try again in a moment (sent with {@code Retry-After: 1}). */
    static GatewayError overloaded() {
        return gateway(503, "gateway_overloaded",
                "The gateway is at its limit of request and response bytes in flight; retry shortly.");
    }

    GatewayError withParam(String name) {
        return new GatewayError(status, type, code, message, name);
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
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(shape.body(this));
    }
}
