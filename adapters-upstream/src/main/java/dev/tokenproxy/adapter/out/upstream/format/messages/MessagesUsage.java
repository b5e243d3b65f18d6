package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;

/**
 * Token counts between Chat's {@code usage} and Messages' {@code usage}. They count the prompt differently: Chat's
 * {@code prompt_tokens} is every prompt token with the cached ones among them, Messages' {@code input_tokens} leaves
 * out the tokens read from and written to the cache (protocols §3 "To Anthropic", §5).
 */
final class MessagesUsage {

    private MessagesUsage() {
    }

    /** A Messages {@code usage} as a Chat {@code usage}: the prompt is input, cache reads and cache writes together. */
    static ObjectNode toChat(long input, long cacheRead, long cacheWrite, long output) {
        long prompt = input + cacheRead + cacheWrite;
        ObjectNode usage = Shape.newObject();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", output);
        usage.put("total_tokens", prompt + output);
        usage.putObject("prompt_tokens_details").put("cached_tokens", cacheRead);
        return usage;
    }

    /** The same from a Messages {@code usage} object, or null when there is none. */
    static ObjectNode toChat(JsonNode messages) {
        if (messages == null || !messages.isObject()) {
            return null;
        }
        return toChat(messages.path("input_tokens").asLong(0), messages.path("cache_read_input_tokens").asLong(0),
                messages.path("cache_creation_input_tokens").asLong(0), messages.path("output_tokens").asLong(0));
    }

    /**
     * A Chat {@code usage} as a Messages {@code usage}: the cached prompt tokens are cache reads, the rest input. Chat
     * does not say how many prompt tokens were written to a cache, so none are.
     */
    static ObjectNode fromChat(JsonNode chat) {
        ObjectNode usage = Shape.newObject();
        long prompt = chat == null ? 0 : chat.path("prompt_tokens").asLong(0);
        long cached = chat == null ? 0 : Math.min(prompt, chat.path("prompt_tokens_details").path("cached_tokens")
                .asLong(0));
        usage.put("input_tokens", prompt - cached);
        usage.put("cache_creation_input_tokens", 0);
        usage.put("cache_read_input_tokens", cached);
        usage.put("output_tokens", chat == null ? 0 : chat.path("completion_tokens").asLong(0));
        return usage;
    }
}
