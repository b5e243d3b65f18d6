package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An estimate of a Messages request's input tokens, for {@code count_tokens} when no upstream is asked: about four
 * characters per token (the rule of thumb Anthropic and OpenAI give for English text) over everything the model
 * reads: the system prompt, every text, thinking, tool call and tool result of the conversation, and the tool
 * definitions. An image counts {@link #IMAGE_TOKENS}. Real tokenisers differ by tens of percent on code and other
 * languages; clients use the number to decide when to compact, where that is close enough.
 */
final class TokenEstimate {

    /** Characters per token for English prose (Anthropic's and OpenAI's documented rule of thumb). */
    private static final int CHARS_PER_TOKEN = 4;
    /**
     * Anthropic's formula is width × height / 750 tokens, capped near 1600 by its resizing; the size is not known
     * without decoding the image, so the cap is assumed.
     */
    static final int IMAGE_TOKENS = 1600;

    private TokenEstimate() {
    }

    static long inputTokens(JsonNode request) {
        var count = new Count();
        count.content(request.path("system"));
        for (JsonNode message : request.path("messages")) {
            count.content(message.path("content"));
        }
        for (JsonNode tool : request.path("tools")) {
            count.chars += tool.toString().length();
        }
        return Math.max(1, (count.chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + count.images * IMAGE_TOKENS);
    }

    /** The running totals over a request's content. */
    private static final class Count {
        long chars;
        long images;

        /** A string, or an array of blocks. */
        void content(JsonNode content) {
            if (content.isTextual()) {
                chars += content.asText().length();
                return;
            }
            for (JsonNode block : content) {
                block(block);
            }
        }

        private void block(JsonNode block) {
            switch (block.path("type").asText("")) {
                case "text" -> chars += block.path("text").asText("").length();
                case "thinking" -> chars += block.path("thinking").asText("").length();
                case "tool_use" -> chars += block.path("name").asText("").length()
                        + block.path("input").toString().length();
                case "tool_result" -> content(block.path("content"));
                case "image", "document" -> images++;
                default -> chars += block.toString().length();
            }
        }
    }
}
