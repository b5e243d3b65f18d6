package dev.tokenproxy.adapter.out.upstream.format.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.domain.classify.AttemptSignal;

/**
 * Reads {@code {"error":{"type","code","param"}}} (protocols §1) into the signal; other bodies add nothing. Chat
 * Completions and Responses upstreams share this error shape, so every OpenAI-style provider reads it here.
 */
public final class OpenAiErrorBody {

    private OpenAiErrorBody() {
    }

    public static AttemptSignal describe(AttemptSignal signal, byte[] body) {
        return ChatJson.object(body)
                .map(document -> document.get("error"))
                .filter(JsonNode::isObject)
                .map(error -> signal.withError(ChatJson.scalar(error, "type"), ChatJson.scalar(error, "code"),
                        ChatJson.present(error, "param")))
                .orElse(signal);
    }
}
