package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * One {@code data:} payload of a chat completion stream, read once to decide what the stream does with it.
 *
 * @param json         the parsed chunk, or null for {@code [DONE]} and malformed data
 * @param finishReason the first {@code finish_reason} among the chunk's choices, or null
 */
public record ChatChunk(Kind kind, String data, ObjectNode json, String finishReason) {

    public enum Kind {
        /** The {@code [DONE]} sentinel. */
        DONE,
        /** Not a JSON object. */
        MALFORMED,
        /** An {@code {"error": ...}} event: some providers report failures inside a 200 stream. */
        ERROR,
        /** Content, reasoning, a tool call, a refusal or audio. */
        OUTPUT,
        /** Nothing a client would see: the role chunk, empty deltas, the finish chunk, usage. */
        SILENT
    }

    public static ChatChunk of(String data) {
        if ("[DONE]".equals(data.strip())) {
            return new ChatChunk(Kind.DONE, data, null, null);
        }
        Optional<ObjectNode> parsed = ChatJson.object(data);
        if (parsed.isEmpty()) {
            return new ChatChunk(Kind.MALFORMED, data, null, null);
        }
        ObjectNode json = parsed.get();
        JsonNode error = json.get("error");
        if (error != null && !error.isNull()) {
            return new ChatChunk(Kind.ERROR, data, json, null);
        }
        boolean output = false;
        String finishReason = null;
        for (JsonNode choice : json.path("choices")) {
            output |= ChatOutput.carriedBy(choice.get("delta"));
            if (finishReason == null) {
                finishReason = ChatJson.scalar(choice, "finish_reason");
            }
        }
        return new ChatChunk(output ? Kind.OUTPUT : Kind.SILENT, data, json, finishReason);
    }
}
