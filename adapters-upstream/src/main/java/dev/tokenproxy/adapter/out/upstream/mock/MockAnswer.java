package dev.tokenproxy.adapter.out.upstream.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code mock} upstream says to one request: a text that names the upstream (so a reader sees who answered)
 * and repeats the last user message (so a reader sees it is their request), cut into word chunks for streaming.
 * Deterministic: the same request gets the same words. Token counts are word counts, not a tokenizer's.
 *
 * @param id     the completion or response id
 * @param model  the model the upstream was asked for, as a real upstream names it
 * @param chunks the text in the pieces a stream sends; empty for an empty completion
 */
record MockAnswer(String id, String model, long created, List<String> chunks, int inputTokens) {

    /** A user message repeated longer than this is cut, so a large prompt does not make a large answer. */
    private static final int ECHO_MAX_CHARS = 200;

    MockAnswer {
        chunks = List.copyOf(chunks);
    }

    static MockAnswer to(String upstreamId, long attempt, InboundFormat format, byte[] body, String model,
                         long created) {
        String said = lastUserText(format, body);
        String text = "Hello from mock upstream " + upstreamId + "."
                + (said.isBlank() ? "" : " You said: " + abbreviated(said.strip()));
        return new MockAnswer(upstreamId + "-" + attempt, model, created, words(text),
                Math.max(1, words(said).size()));
    }

    /** The same answer with no text at all: a completion that finished with nothing in it. */
    MockAnswer empty() {
        return new MockAnswer(id, model, created, List.of(), inputTokens);
    }

    String text() {
        return String.join("", chunks);
    }

    int outputTokens() {
        return chunks.size();
    }

    private static String lastUserText(InboundFormat format, byte[] body) {
        JsonNode request = ChatJson.object(body).map(JsonNode.class::cast).orElse(ChatJson.mapper().createObjectNode());
        JsonNode messages = format == InboundFormat.CHAT ? request.path("messages") : request.path("input");
        if (messages.isTextual()) {
            return messages.asText();
        }
        String last = "";
        for (JsonNode message : messages) {
            if ("user".equals(message.path("role").asText())) {
                last = text(message.path("content"));
            }
        }
        return last;
    }

    /** A content string, or the text parts of a content array (Chat {@code text}, Responses {@code input_text}). */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        var text = new StringBuilder();
        for (JsonNode part : content) {
            text.append(part.path("text").asText(""));
        }
        return text.toString();
    }

    private static String abbreviated(String text) {
        return text.length() <= ECHO_MAX_CHARS ? text : text.substring(0, ECHO_MAX_CHARS) + "…";
    }

    /** Words with the space before each, so the chunks join back into the text. */
    private static List<String> words(String text) {
        var words = new ArrayList<String>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == ' ') {
                if (i > start && !text.substring(start, i).isBlank()) {
                    words.add(text.substring(start, i));
                }
                start = i;
            }
        }
        return words;
    }
}
