package dev.tokenproxy.adapter.out.upstream.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatStreamDialect;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import java.util.ArrayList;

/** A {@link MockAnswer} as OpenAI Chat Completions writes it (protocols §1): a completion, or chunks and [DONE]. */
final class MockChatWire {

    private MockChatWire() {
    }

    static byte[] completion(MockAnswer answer) {
        ObjectNode completion = head(answer, "chat.completion");
        ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answer.text());
        choice.put("finish_reason", "stop");
        completion.set("usage", usage(answer));
        return ChatJson.bytes(completion);
    }

    /** The role chunk, one chunk per word, the finish chunk, the usage chunk when asked for, then [DONE]. */
    static MockEvents chunks(MockAnswer answer, boolean includeUsage) {
        var frames = new ArrayList<byte[]>();
        frames.add(chunk(answer, includeUsage, delta -> delta.put("role", "assistant").put("content", ""), null));
        int firstOutput = frames.size();
        for (String word : answer.chunks()) {
            frames.add(chunk(answer, includeUsage, delta -> delta.put("content", word), null));
        }
        frames.add(chunk(answer, includeUsage, delta -> { }, "stop"));
        if (includeUsage) {
            ObjectNode last = head(answer, "chat.completion.chunk");
            last.putArray("choices");
            last.set("usage", usage(answer));
            frames.add(SseFrames.data(ChatJson.text(last)));
        }
        frames.add(ChatStreamDialect.DONE);
        return new MockEvents(frames, answer.chunks().isEmpty() ? frames.size() : firstOutput);
    }

    private static byte[] chunk(MockAnswer answer, boolean includeUsage,
                                java.util.function.Consumer<ObjectNode> delta, String finishReason) {
        ObjectNode chunk = head(answer, "chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        delta.accept(choice.putObject("delta"));
        choice.put("finish_reason", finishReason);
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return SseFrames.data(ChatJson.text(chunk));
    }

    private static ObjectNode head(MockAnswer answer, String object) {
        return ChatJson.mapper().createObjectNode().put("id", "chatcmpl-" + answer.id()).put("object", object)
                .put("created", answer.created()).put("model", answer.model());
    }

    private static ObjectNode usage(MockAnswer answer) {
        ObjectNode usage = ChatJson.mapper().createObjectNode().put("prompt_tokens", answer.inputTokens())
                .put("completion_tokens", answer.outputTokens())
                .put("total_tokens", answer.inputTokens() + answer.outputTokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
        usage.putObject("completion_tokens_details").put("reasoning_tokens", 0);
        return usage;
    }
}
