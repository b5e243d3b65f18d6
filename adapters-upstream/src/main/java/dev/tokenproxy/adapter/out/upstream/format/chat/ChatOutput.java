package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** What counts as output in a chat message or stream delta (behaviour §2 and §6). */
public final class ChatOutput {

    /**
     * Fields whose presence is output. {@code reasoning} is what several OpenAI-compatible servers (vLLM, OpenRouter)
     * use instead of {@code reasoning_content}; {@code function_call} is the legacy form of a tool call.
     */
    static final List<String> OUTPUT_FIELDS = List.of(
            "content", "reasoning_content", "reasoning", "tool_calls", "function_call", "refusal", "audio");

    private ChatOutput() {
    }

    /** Whether a {@code message} or {@code delta} carries anything a client would see. */
    public static boolean carriedBy(JsonNode messageOrDelta) {
        if (messageOrDelta == null || !messageOrDelta.isObject()) {
            return false;
        }
        for (String field : OUTPUT_FIELDS) {
            if (ChatJson.present(messageOrDelta, field)) {
                return true;
            }
        }
        return false;
    }

    /** An empty completion: the first choice finished with {@code stop} and carries no output. */
    public static boolean isEmptyCompletion(JsonNode completion) {
        JsonNode first = completion.path("choices").path(0);
        return first.isObject()
                && "stop".equals(ChatJson.scalar(first, "finish_reason"))
                && !carriedBy(first.get("message"));
    }
}
