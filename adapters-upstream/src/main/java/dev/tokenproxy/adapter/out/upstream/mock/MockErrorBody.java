package dev.tokenproxy.adapter.out.upstream.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;

/**
 * The OpenAI error body (protocols §1) a mock upstream sends with a scripted status, with the type and code OpenAI
 * uses for it, so the classification reads it as it would read OpenAI's.
 */
final class MockErrorBody {

    private MockErrorBody() {
    }

    static byte[] of(String upstreamId, int status) {
        ObjectNode error = ChatJson.mapper().createObjectNode();
        error.putObject("error")
                .put("message", "Mock upstream " + upstreamId + " answers " + status + " as its script says.")
                .put("type", type(status))
                .putNull("param")
                .put("code", code(status));
        return ChatJson.bytes(error);
    }

    private static String type(int status) {
        if (status == 429) {
            return "requests";
        }
        return status >= 500 ? "server_error" : "invalid_request_error";
    }

    private static String code(int status) {
        return switch (status) {
            case 401 -> "invalid_api_key";
            case 429 -> "rate_limit_exceeded";
            default -> status >= 500 ? "server_error" : "mock_fault";
        };
    }
}
