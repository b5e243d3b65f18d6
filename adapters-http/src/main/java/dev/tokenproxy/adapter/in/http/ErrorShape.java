package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** How one client API writes an error body. A new inbound format with another shape adds one implementation. */
@FunctionalInterface
interface ErrorShape {

    /** OpenAI's {@code {"error":{"message","type","param","code"}}}: Chat Completions and Responses. */
    ErrorShape OPENAI = error -> {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode body = root.putObject("error");
        body.put("message", error.message());
        body.put("type", error.type());
        body.put("param", error.param());
        body.put("code", error.code());
        return Json.bytes(root);
    };

    /**
     * Anthropic's {@code {"type":"error","error":{"type","message"}}} (protocols §5): Messages. Its type names the kind
     * of failure by status, as Anthropic's API pairs them (the SDKs pick their exception by status alone).
     */
    ErrorShape ANTHROPIC = error -> {
        ObjectNode root = Json.MAPPER.createObjectNode().put("type", "error");
        root.putObject("error").put("type", anthropicType(error.status())).put("message", error.message());
        return Json.bytes(root);
    };

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

    /** The one mapper error shapes write with. */
    final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();

        private Json() {
        }

        static byte[] bytes(ObjectNode node) {
            try {
                return MAPPER.writeValueAsBytes(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise an error body", e);
            }
        }
    }
}
