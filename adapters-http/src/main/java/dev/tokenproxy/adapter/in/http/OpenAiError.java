package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/** Errors the gateway itself produces, in the OpenAI error shape {@code {"error":{message,type,param,code}}}. */
record OpenAiError(int status, String type, String code, String message, String param) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static OpenAiError invalidRequest(int status, String code, String message) {
        return new OpenAiError(status, "invalid_request_error", code, message, null);
    }

    static OpenAiError gateway(int status, String code, String message) {
        return new OpenAiError(status, "api_error", code, message, null);
    }

    /** The gateway's own memory budget is spent: try again in a moment (sent with {@code Retry-After: 1}). */
    static OpenAiError overloaded() {
        return gateway(503, "gateway_overloaded",
                "The gateway is at its limit of request and response bytes in flight; retry shortly.");
    }

    OpenAiError withParam(String name) {
        return new OpenAiError(status, type, code, message, name);
    }

    byte[] body() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an error body", e);
        }
    }

    void send(ServerResponse res) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body());
    }
}
