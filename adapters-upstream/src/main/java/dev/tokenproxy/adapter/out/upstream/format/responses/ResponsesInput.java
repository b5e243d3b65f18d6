package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;

/**
 * A Responses request's {@code input} as a list of items (protocols §2): the API also takes a plain string, which
 * means one user message; upstreams that take only items (Codex) get it in that form.
 */
public final class ResponsesInput {

    private ResponsesInput() {
    }

    /** The items {@code input} stands for: a string as one user message, an array as it is, anything else as none. */
    public static ArrayNode asItems(JsonNode input) {
        if (input != null && input.isArray()) {
            return (ArrayNode) input;
        }
        ArrayNode items = Shape.newArray();
        if (input != null && input.isTextual()) {
            items.addObject().put("type", "message").put("role", "user")
                    .putArray("content").addObject().put("type", "input_text").put("text", input.textValue());
        }
        return items;
    }
}
