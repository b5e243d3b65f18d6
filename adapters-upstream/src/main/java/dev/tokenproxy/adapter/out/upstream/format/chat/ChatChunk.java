package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * One {@code data:} payload of a chat completion stream, read once to decide what the stream does with it.
 *
 * @param json         the parsed chunk, or null for {@code [DONE]}, malformed data and a chunk {@link #scan scanned}
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

    /**
     * The same kind and finish reason as {@link #of}, read from the chunk's tokens without building its tree, for a
     * stream that passes chunks on as they came: the tree of every chunk was an eighth of a chat stream's CPU
     * (benchmark.md, fourth pass). Its {@link #json} is null; an error event, and any chunk whose shape the scan does
     * not settle alone (a repeated field, a choice that is not an object), is read by {@link #of} instead.
     */
    public static ChatChunk scan(String data) {
        // [DONE] too goes to the tree's reading: the scan stops at its first token, which is not an object's.
        return ChatChunkScan.read(data).orElseGet(() -> of(data));
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
