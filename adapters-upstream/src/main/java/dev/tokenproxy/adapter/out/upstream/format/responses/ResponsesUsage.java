package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Token usage between the two OpenAI shapes (protocols §1 and §2): same counts, other names. */
public final class ResponsesUsage {

    private ResponsesUsage() {
    }

    /**
     * Chat's {@code prompt_tokens} (with {@code prompt_tokens_details.cached_tokens}), {@code completion_tokens}
     * (with {@code completion_tokens_details.reasoning_tokens}) and {@code total_tokens} as a Responses usage
     * object; JSON null when the chat stream reported none.
     */
    public static JsonNode fromChat(JsonNode chat) {
        if (chat == null || !chat.isObject()) {
            return NullNode.getInstance();
        }
        ObjectNode usage = JsonNodeFactory.instance.objectNode();
        long input = chat.path("prompt_tokens").asLong(0);
        long output = chat.path("completion_tokens").asLong(0);
        usage.put("input_tokens", input);
        usage.putObject("input_tokens_details")
                .put("cached_tokens", chat.path("prompt_tokens_details").path("cached_tokens").asLong(0));
        usage.put("output_tokens", output);
        usage.putObject("output_tokens_details")
                .put("reasoning_tokens", chat.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
        usage.put("total_tokens", chat.path("total_tokens").asLong(input + output));
        return usage;
    }
}
