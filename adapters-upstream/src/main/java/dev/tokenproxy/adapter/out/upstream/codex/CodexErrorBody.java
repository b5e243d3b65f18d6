package dev.tokenproxy.adapter.out.upstream.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiErrorBody;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The Codex backend's error bodies (protocols §3): the OpenAI shape {@code {"error":{…}}}, whose usage-limit form
 * says when the plan's usage resets, and its own {@code {"detail":"…"}} for a request it refuses to read.
 */
final class CodexErrorBody {

    private CodexErrorBody() {
    }

    /**
     * What the body says for classification: the OpenAI error type and code, and the reset of a spent usage limit as
     * the wait hint — {@code resets_in_seconds}, else {@code resets_at} measured from {@code now} — which is more
     * precise than a {@code Retry-After} already in {@code signal}.
     */
    static AttemptSignal describe(AttemptSignal signal, byte[] body, Instant now) {
        AttemptSignal described = OpenAiErrorBody.describe(signal, body);
        return resetHint(body, now).map(hint -> described.withWaitHint(Optional.of(hint))).orElse(described);
    }

    /**
     * The body a client is shown: a {@code {"detail":"…"}} body rewritten to the OpenAI error shape both Chat and
     * Responses clients read; any other body as it came.
     */
    static byte[] shown(byte[] body, int status) {
        Optional<String> detail = ChatJson.object(body)
                .map(document -> document.get("detail"))
                .filter(JsonNode::isTextual)
                .map(JsonNode::textValue);
        if (detail.isEmpty()) {
            return body;
        }
        ObjectNode shown = ChatJson.mapper().createObjectNode();
        shown.putObject("error")
                .put("message", detail.get())
                .put("type", status >= 500 ? "server_error" : "invalid_request_error")
                .putNull("param")
                .putNull("code");
        return ChatJson.bytes(shown);
    }

    private static Optional<Duration> resetHint(byte[] body, Instant now) {
        Optional<JsonNode> error = ChatJson.object(body).map(document -> document.get("error"))
                .filter(JsonNode::isObject);
        if (error.isEmpty()) {
            return Optional.empty();
        }
        JsonNode resetsIn = error.get().get("resets_in_seconds");
        if (resetsIn != null && resetsIn.isNumber() && resetsIn.asLong() >= 0) {
            return Optional.of(Duration.ofSeconds(resetsIn.asLong()));
        }
        JsonNode resetsAt = error.get().get("resets_at");
        if (resetsAt != null && resetsAt.isNumber()) {
            Duration wait = Duration.between(now, Instant.ofEpochSecond(resetsAt.asLong()));
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        }
        return Optional.empty();
    }
}
