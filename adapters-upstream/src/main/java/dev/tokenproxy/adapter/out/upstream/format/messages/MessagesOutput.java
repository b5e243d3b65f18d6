package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.databind.JsonNode;

/** What a Messages answer holds, for the emptiness check of behaviour §2. */
public final class MessagesOutput {

    private MessagesOutput() {
    }

    /** A {@code message} with no content blocks at all: nothing a client could use (behaviour §2). */
    public static boolean isEmpty(JsonNode message) {
        JsonNode content = message.path("content");
        return !content.isArray() || content.isEmpty();
    }

    /** Whether the object is an Anthropic {@code message} at all (not an error document or an HTML page). */
    public static boolean isMessage(JsonNode message) {
        return message.isObject() && "message".equals(message.path("type").asText(null));
    }
}
