package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatChunk.Kind;
import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a chunk's kind and finish reason from its tokens, skipping everything else. It answers only for the shapes
 * where that is sure to agree with the tree ({@link ChatChunk#of}): a JSON object without an error, whose
 * {@code choices} is an array of objects, with no field it looks at given twice (the tree keeps the last of those).
 * For anything else, malformed data included, it answers empty and the tree decides.
 */
final class ChatChunkScan {

    private static final Set<String> OUTPUT_FIELDS = Set.copyOf(ChatOutput.OUTPUT_FIELDS);

    private boolean output;
    private String finishReason;

    private ChatChunkScan() {
    }

    static Optional<ChatChunk> read(String data) {
        var scan = new ChatChunkScan();
        try (JsonParser parser = ChatJson.TOKENS.createParser(data)) {
            return scan.chunk(parser) ? Optional.of(new ChatChunk(scan.output ? Kind.OUTPUT : Kind.SILENT, data, null,
                    scan.finishReason)) : Optional.empty();
        } catch (IOException | RuntimeException unsure) {
            return Optional.empty();
        }
    }

    private boolean chunk(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return false;
        }
        boolean sawError = false;
        boolean sawChoices = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "error" -> {
                    if (sawError || value != JsonToken.VALUE_NULL) {
                        return false;
                    }
                    sawError = true;
                }
                case "choices" -> {
                    if (sawChoices || value != JsonToken.START_ARRAY || !choices(parser)) {
                        return false;
                    }
                    sawChoices = true;
                }
                default -> parser.skipChildren();
            }
        }
        return parser.currentToken() == JsonToken.END_OBJECT;
    }

    private boolean choices(JsonParser parser) throws IOException {
        for (JsonToken choice = parser.nextToken(); choice != JsonToken.END_ARRAY; choice = parser.nextToken()) {
            if (choice != JsonToken.START_OBJECT || !choice(parser)) {
                return false;
            }
        }
        return true;
    }

    private boolean choice(JsonParser parser) throws IOException {
        boolean sawDelta = false;
        boolean sawFinish = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "delta" -> {
                    if (sawDelta) {
                        return false;
                    }
                    sawDelta = true;
                    if (value == JsonToken.START_OBJECT) {
                        if (!delta(parser)) {
                            return false;
                        }
                    } else {
                        parser.skipChildren(); // not an object: no output, as the tree sees it
                    }
                }
                case "finish_reason" -> {
                    // Only text or null: the tree's text of a number or boolean is its own to say.
                    if (sawFinish || value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL) {
                        return false;
                    }
                    sawFinish = true;
                    if (finishReason == null && value == JsonToken.VALUE_STRING) {
                        finishReason = parser.getText();
                    }
                }
                default -> parser.skipChildren();
            }
        }
        return true;
    }

    private boolean delta(JsonParser parser) throws IOException {
        Boolean carried = carriesOutput(parser);
        if (carried == null) {
            return false;
        }
        output |= carried;
        return true;
    }

    /**
     * At the start of a {@code delta} or {@code message} object: whether it carries output
     * ({@link ChatOutput#carriedBy}), read to the object's end; null when an output field is given twice (the tree
     * would keep the last).
     */
    static Boolean carriesOutput(JsonParser parser) throws IOException {
        Set<String> seen = null;
        boolean output = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (!OUTPUT_FIELDS.contains(field)) {
                parser.skipChildren();
                continue;
            }
            if (seen == null) {
                seen = new HashSet<>(4);
            }
            if (!seen.add(field)) {
                return null;
            }
            output |= present(parser, value);
        }
        return output;
    }

    /** {@link ChatJson#present}, on the value the parser is at; leaves the parser at the value's last token. */
    private static boolean present(JsonParser parser, JsonToken value) throws IOException {
        return switch (value) {
            case VALUE_NULL -> false;
            case VALUE_STRING -> parser.getTextLength() > 0;
            case START_ARRAY, START_OBJECT -> {
                boolean empty = parser.nextToken().isStructEnd();
                if (!empty) {
                    skipRestOfContainer(parser);
                }
                yield !empty;
            }
            default -> true;
        };
    }

    /** The parser is at the first token inside a container: moves it to the container's end. */
    private static void skipRestOfContainer(JsonParser parser) throws IOException {
        int depth = 1;
        for (JsonToken token = parser.currentToken(); ; token = parser.nextToken()) {
            if (token == null) {
                throw new IOException("end of input inside a container");
            }
            if (token.isStructStart()) {
                depth++;
            } else if (token.isStructEnd() && --depth == 0) {
                return;
            }
        }
    }
}
