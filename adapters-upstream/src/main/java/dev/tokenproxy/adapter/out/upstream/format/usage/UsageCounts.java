package dev.tokenproxy.adapter.out.upstream.format.usage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import dev.tokenproxy.domain.attempt.TokenUsage;
import java.io.IOException;

/**
 * The counts of one usage object, read token by token, in any client format: Chat's names when {@code prompt_tokens}
 * or {@code completion_tokens} is present, else those of Responses and Messages (Anthropic's {@code input_tokens}
 * leave out the cache reads and writes counted beside them). A count is a number (a fraction is cut) above zero,
 * anything else is zero; of a field given twice, the last one counts, as in a JSON tree. The usage reader of every
 * provider's answers reads trees of stream events by the same rules.
 */
public final class UsageCounts {

    private boolean chatNames;
    private long promptTokens;
    private long promptCached;
    private long completionTokens;
    private long completionReasoning;
    private long inputTokens;
    private long inputCached;
    private long cacheRead;
    private long cacheCreation;
    private long outputTokens;
    private long outputReasoning;

    private UsageCounts() {
    }

    /** Reads the usage object the parser is at (its START_OBJECT) to its end. */
    public static TokenUsage read(JsonParser parser) throws IOException {
        var counts = new UsageCounts();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            counts.field(name, parser);
        }
        return counts.usage();
    }

    private void field(String name, JsonParser parser) throws IOException {
        switch (name) {
            case "prompt_tokens" -> {
                chatNames = true;
                promptTokens = count(parser);
            }
            case "completion_tokens" -> {
                chatNames = true;
                completionTokens = count(parser);
            }
            case "prompt_tokens_details" -> promptCached = detail(parser, "cached_tokens");
            case "completion_tokens_details" -> completionReasoning = detail(parser, "reasoning_tokens");
            case "input_tokens" -> inputTokens = count(parser);
            case "input_tokens_details" -> inputCached = detail(parser, "cached_tokens");
            case "cache_read_input_tokens" -> cacheRead = count(parser);
            case "cache_creation_input_tokens" -> cacheCreation = count(parser);
            case "output_tokens" -> outputTokens = count(parser);
            case "output_tokens_details" -> outputReasoning = detail(parser, "reasoning_tokens");
            default -> parser.skipChildren();
        }
    }

    private TokenUsage usage() {
        if (chatNames) {
            return new TokenUsage(promptTokens, promptCached, 0, completionTokens, completionReasoning);
        }
        return new TokenUsage(inputTokens + cacheRead + cacheCreation, Math.max(cacheRead, inputCached), cacheCreation,
                outputTokens, outputReasoning);
    }

    /** The count {@code wanted} of the details object the parser is at; zero when it is not an object. */
    private static long detail(JsonParser parser, String wanted) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return 0;
        }
        long found = 0;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            if (name.equals(wanted)) {
                found = count(parser);
            } else {
                parser.skipChildren();
            }
        }
        return found;
    }

    /** The value the parser is at as a count: a number that fits a long, cut to a whole one, above zero; else 0. */
    private static long count(JsonParser parser) throws IOException {
        long value = 0;
        if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            try {
                value = parser.getLongValue();
            } catch (InputCoercionException tooLarge) {
                value = 0;
            }
        } else if (parser.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
            double number = parser.getDoubleValue();
            value = number >= Long.MIN_VALUE && number <= Long.MAX_VALUE ? (long) number : 0;
        } else {
            parser.skipChildren();
        }
        return Math.max(0, value);
    }
}
