package dev.tokenproxy.adapter.in.http;

/** How one client API writes an error body. A new inbound format with another shape adds one implementation. */
@FunctionalInterface
interface ErrorShape {

    /** OpenAI's {@code {"error":{"message","type","param","code"}}}: Chat Completions and Responses. */
    ErrorShape OPENAI = error -> HttpJson.written(json -> {
        json.writeStartObject();
        json.writeObjectFieldStart("error");
        json.writeStringField("message", error.message());
        json.writeStringField("type", error.type());
        json.writeStringField("param", error.param());
        json.writeStringField("code", error.code());
        json.writeEndObject();
        json.writeEndObject();
    });

    /**
     * Anthropic's {@code {"type":"error","error":{"type","message"}}} (protocols §5): Messages. Its type names the kind
     * of failure by status, as Anthropic's API pairs them (the SDKs pick their exception by status alone).
     */
    ErrorShape ANTHROPIC = error -> HttpJson.written(json -> {
        json.writeStartObject();
        json.writeStringField("type", "error");
        json.writeObjectFieldStart("error");
        json.writeStringField("type", anthropicType(error.status()));
        json.writeStringField("message", error.message());
        json.writeEndObject();
        json.writeEndObject();
    });

    byte[] body(GatewayError error);

    private static String anthropicType(int status) {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            case 504 -> "timeout_error";
            default -> "api_error";
        };
    }
}
