package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.usage.UsageCounts;
import dev.tokenproxy.domain.attempt.TokenUsage;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * What a whole chat completion that came back with a 2xx amounts to (behaviour §2): something to deliver, an empty
 * completion, or not a completion at all.
 * <p>
 * Every non-streamed answer is checked, and the check needs three facts from a body that is mostly the answer's text,
 * so they are read from its tokens and the rest is skipped. A JSON tree of the body cost more than the gateway's own
 * handling of the request around it (benchmark.md, seventh pass). The scan answers only where it is sure to agree with
 * the tree's reading ({@link #ofTree}): a field it looks at given twice (the tree keeps the last), or anything it
 * cannot parse, goes to the tree. On its way it reads the top-level {@code usage} too, which the usage reader of every
 * provider's answers would otherwise find by a second pass over the same body (benchmark.md, sixteenth pass).
 */
public enum ChatCompletionCheck {
    DELIVERABLE,
    /** The first choice finished with {@code stop} and carries no output. */
    EMPTY,
    /** Not a JSON object with {@code choices}: an HTML page or an error document sent with a 2xx. */
    NOT_A_COMPLETION;

    /**
     * What a check found: the verdict, and the usage the body reports at its top ({@link TokenUsage#NONE} when it
     * reports none there, or when the body went to the tree, which reads no usage).
     */
    public record Reading(ChatCompletionCheck verdict, TokenUsage usage) {
        public Reading {
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(usage, "usage");
        }
    }

    public static ChatCompletionCheck of(byte[] body) {
        return read(body).verdict();
    }

    /** The verdict on {@code body}, with its usage when the scan was sure. */
    public static Reading read(byte[] body) {
        return scan(body).orElseGet(() -> new Reading(ofTree(ChatJson.object(body)), TokenUsage.NONE));
    }

    /** The reading of the tree, for a caller that needs the tree anyway. */
    public static ChatCompletionCheck ofTree(Optional<ObjectNode> completion) {
        if (completion.isEmpty() || !completion.get().has("choices")) {
            return NOT_A_COMPLETION;
        }
        return ChatOutput.isEmptyCompletion(completion.get()) ? EMPTY : DELIVERABLE;
    }

    /** Package-private so that tests can compare it with the tree on the shapes where it must answer. */
    static Optional<Reading> scan(byte[] body) {
        try (JsonParser parser = ChatJson.TOKENS.createParser(body)) {
            return Optional.ofNullable(completion(parser));
        } catch (IOException | RuntimeException unsure) {
            return Optional.empty();
        }
    }

    /** Null when unsure. */
    private static Reading completion(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        ChatCompletionCheck found = null;
        TokenUsage usage = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            boolean choices = name.equals("choices");
            JsonToken value = parser.nextToken();
            if (!choices) {
                // The usage reader takes the first usage object at the top, so this does too.
                if (usage == null && value == JsonToken.START_OBJECT && name.equals("usage")) {
                    usage = UsageCounts.read(parser);
                } else {
                    parser.skipChildren();
                }
            } else if (found != null) {
                return null;
            } else {
                found = value == JsonToken.START_ARRAY ? choices(parser) : skipped(parser, DELIVERABLE);
                if (found == null) {
                    return null;
                }
            }
        }
        // A body cut short fails in nextToken above; what ends here is a whole object.
        if (parser.currentToken() != JsonToken.END_OBJECT) {
            return null;
        }
        return new Reading(found == null ? NOT_A_COMPLETION : found, usage == null ? TokenUsage.NONE : usage);
    }

    /** At the start of the {@code choices} array: only the first choice decides; leaves the parser at its end. */
    private static ChatCompletionCheck choices(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == JsonToken.END_ARRAY) {
            return DELIVERABLE; // no first choice: nothing says it is empty
        }
        ChatCompletionCheck verdict =
                first == JsonToken.START_OBJECT ? firstChoice(parser) : skipped(parser, DELIVERABLE);
        if (verdict == null) {
            return null;
        }
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            parser.skipChildren();
        }
        return verdict;
    }

    private static ChatCompletionCheck firstChoice(JsonParser parser) throws IOException {
        boolean sawMessage = false;
        boolean sawFinish = false;
        boolean output = false;
        boolean stop = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "message" -> {
                    if (sawMessage) {
                        return null;
                    }
                    sawMessage = true;
                    if (value == JsonToken.START_OBJECT) {
                        Boolean carried = ChatChunkScan.carriesOutput(parser);
                        if (carried == null) {
                            return null;
                        }
                        output = carried;
                    } else {
                        parser.skipChildren(); // not an object: no output, as the tree sees it
                    }
                }
                case "finish_reason" -> {
                    if (sawFinish) {
                        return null;
                    }
                    sawFinish = true;
                    // The tree's text of a number or boolean is never "stop"; a container has no text.
                    stop = value == JsonToken.VALUE_STRING && parser.getText().equals("stop");
                    parser.skipChildren();
                }
                default -> parser.skipChildren();
            }
        }
        return stop && !output ? EMPTY : DELIVERABLE;
    }

    private static ChatCompletionCheck skipped(JsonParser parser, ChatCompletionCheck verdict) throws IOException {
        parser.skipChildren();
        return verdict;
    }
}
