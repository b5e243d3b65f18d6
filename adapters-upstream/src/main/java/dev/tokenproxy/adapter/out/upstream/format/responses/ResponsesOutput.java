package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;

/** What counts as output in a Responses {@code response} object (behaviour §2, empty completion). */
public final class ResponsesOutput {

    private ResponsesOutput() {
    }

    /**
     * A response is empty when none of its output items carries text, a refusal, a function call or reasoning:
     * such a {@code completed} answer is an empty completion, like a Chat one that stopped without content.
     */
    public static boolean isEmpty(JsonNode response) {
        for (JsonNode item : response.path("output")) {
            if (carries(item)) {
                return false;
            }
        }
        return true;
    }

    /** Whether one output item holds something a client would see. */
    static boolean carries(JsonNode item) {
        return switch (item.path("type").asText("")) {
            case "message" -> anyText(item.path("content"), "text") || anyText(item.path("content"), "refusal");
            case "reasoning" -> anyText(item.path("summary"), "text") || anyText(item.path("content"), "text");
            case "function_call" -> !item.path("name").asText("").isEmpty();
            // Hosted tool calls and newer item kinds: the upstream produced something; not empty.
            case "" -> false;
            default -> true;
        };
    }

    private static boolean anyText(JsonNode parts, String field) {
        for (JsonNode part : parts) {
            if (!part.path(field).asText("").isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
