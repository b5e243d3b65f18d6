package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;

/** Token counts between Chat's {@code prompt/completion} names and Responses' {@code input/output} names. */
final class TokenUsage {

    private TokenUsage() {
    }

    /** A Chat {@code usage} as a Responses {@code usage}, or null when there is none. */
    static ObjectNode fromChat(JsonNode chat) {
        if (chat == null || !chat.isObject()) {
            return null;
        }
        ObjectNode usage = Shape.newObject();
        count(chat, "prompt_tokens", usage, "input_tokens");
        usage.putObject("input_tokens_details").put("cached_tokens",
                chat.path("prompt_tokens_details").path("cached_tokens").asLong(0));
        count(chat, "completion_tokens", usage, "output_tokens");
        usage.putObject("output_tokens_details").put("reasoning_tokens",
                chat.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
        total(chat, "prompt_tokens", "completion_tokens", usage);
        return usage;
    }

    /** A Responses {@code usage} as a Chat {@code usage}, or null when there is none. */
    static ObjectNode toChat(JsonNode responses) {
        if (responses == null || !responses.isObject()) {
            return null;
        }
        ObjectNode usage = Shape.newObject();
        count(responses, "input_tokens", usage, "prompt_tokens");
        count(responses, "output_tokens", usage, "completion_tokens");
        total(responses, "input_tokens", "output_tokens", usage);
        usage.putObject("prompt_tokens_details").put("cached_tokens",
                responses.path("input_tokens_details").path("cached_tokens").asLong(0));
        usage.putObject("completion_tokens_details").put("reasoning_tokens",
                responses.path("output_tokens_details").path("reasoning_tokens").asLong(0));
        return usage;
    }

    private static void count(JsonNode from, String field, ObjectNode to, String as) {
        to.put(as, from.path(field).asLong(0));
    }

    /** The upstream's own total when it gives one (it may count more than the two parts), else their sum. */
    private static void total(JsonNode from, String input, String output, ObjectNode to) {
        JsonNode total = from.get("total_tokens");
        to.put("total_tokens", total != null && total.isNumber()
                ? total.asLong()
                : from.path(input).asLong(0) + from.path(output).asLong(0));
    }
}
