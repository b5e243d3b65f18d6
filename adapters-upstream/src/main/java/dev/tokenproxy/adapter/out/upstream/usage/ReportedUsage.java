package dev.tokenproxy.adapter.out.upstream.usage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.usage.UsageCounts;
import dev.tokenproxy.domain.attempt.TokenUsage;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the token usage an answer reports, in whichever client format it is delivered: Chat ({@code prompt_tokens},
 * {@code completion_tokens}), Responses ({@code input_tokens}, {@code output_tokens}) or Messages (Anthropic, whose
 * {@code input_tokens} leave out the cache reads and writes counted beside them). The answer is already in the
 * inbound format, so one reader serves every provider, conversions included.
 */
final class ReportedUsage {

    private static final byte[] USAGE_FIELD = "\"usage\"".getBytes(StandardCharsets.US_ASCII);

    private ReportedUsage() {
    }

    /**
     * The usage of a whole answer body, or {@link TokenUsage#NONE}. Streams through the body rather than building its
     * tree: the answer text, usually most of the body, is skipped unread, and the usage object is read as tokens
     * ({@link UsageCounts}, by the rules {@link #ofUsage} applies to a tree).
     */
    static TokenUsage ofBody(byte[] body) {
        if (body.length == 0 || body[0] != '{' || !mentionsUsage(body)) {
            return TokenUsage.NONE;
        }
        try (JsonParser parser = ChatJson.TOKENS.createParser(body)) {
            parser.nextToken();
            TokenUsage usage = usageOf(parser, true);
            return usage == null ? TokenUsage.NONE : usage;
        } catch (java.io.IOException | RuntimeException notJson) {
            return TokenUsage.NONE;
        }
    }

    /**
     * The usage object of the object the parser is at, read to its end: its own {@code usage} first, else one under
     * {@code response} or {@code message} (looked into at the top level only), ranked as {@link #ofDocument} does.
     */
    private static TokenUsage usageOf(JsonParser parser, boolean top) throws java.io.IOException {
        TokenUsage own = null;
        TokenUsage underResponse = null;
        TokenUsage underMessage = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            boolean object = parser.nextToken() == JsonToken.START_OBJECT;
            if (object && own == null && name.equals("usage")) {
                own = UsageCounts.read(parser);
                if (top) {
                    return own;
                }
            } else if (object && top && name.equals("response")) {
                underResponse = usageOf(parser, false);
            } else if (object && top && name.equals("message")) {
                underMessage = usageOf(parser, false);
            } else {
                parser.skipChildren();
            }
        }
        return own != null ? own : underResponse != null ? underResponse : underMessage;
    }

    /**
     * The usage one SSE chunk of a stream reports (a Chat usage chunk, {@code response.completed},
     * {@code message_start} / {@code message_delta}), if it reports one.
     */
    static Optional<TokenUsage> ofChunk(byte[] chunk) {
        if (!mentionsUsage(chunk)) {
            return Optional.empty();
        }
        TokenUsage found = null;
        for (String line : new String(chunk, StandardCharsets.UTF_8).split("\n")) {
            if (!line.startsWith("data:")) {
                continue;
            }
            var document = parse(line.substring(5).trim().getBytes(StandardCharsets.UTF_8));
            if (document.isPresent()) {
                var usage = ofDocument(document.get());
                found = found == null ? usage : largest(found, usage);
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Counts that later events repeat or grow (Anthropic's cumulative {@code message_delta}) are merged by keeping
     * the largest of each, which is also right for formats that report once.
     */
    static TokenUsage largest(TokenUsage a, TokenUsage b) {
        return new TokenUsage(Math.max(a.input(), b.input()), Math.max(a.cachedInput(), b.cachedInput()),
                Math.max(a.cacheWrite(), b.cacheWrite()), Math.max(a.output(), b.output()),
                Math.max(a.reasoning(), b.reasoning()));
    }

    private static TokenUsage ofDocument(JsonNode document) {
        // Chat and Messages answers carry usage at the top; Responses events under response, Messages' first event
        // under message.
        for (JsonNode usage : new JsonNode[] {document.get("usage"), document.path("response").get("usage"),
                document.path("message").get("usage")}) {
            if (usage != null && usage.isObject()) {
                return ofUsage(usage);
            }
        }
        return TokenUsage.NONE;
    }

    private static TokenUsage ofUsage(JsonNode usage) {
        if (usage.has("prompt_tokens") || usage.has("completion_tokens")) {
            return new TokenUsage(count(usage.get("prompt_tokens")),
                    count(usage.path("prompt_tokens_details").get("cached_tokens")), 0,
                    count(usage.get("completion_tokens")),
                    count(usage.path("completion_tokens_details").get("reasoning_tokens")));
        }
        long cacheRead = count(usage.get("cache_read_input_tokens"));
        long cacheWrite = count(usage.get("cache_creation_input_tokens"));
        long cached = Math.max(cacheRead, count(usage.path("input_tokens_details").get("cached_tokens")));
        return new TokenUsage(count(usage.get("input_tokens")) + cacheRead + cacheWrite, cached, cacheWrite,
                count(usage.get("output_tokens")), count(usage.path("output_tokens_details").get("reasoning_tokens")));
    }

    private static long count(JsonNode node) {
        return node != null && node.canConvertToLong() && node.asLong() > 0 ? node.asLong() : 0;
    }

    /** A cheap look before parsing: most chunks of a stream carry no usage. */
    private static boolean mentionsUsage(byte[] bytes) {
        outer:
        for (int i = 0; i <= bytes.length - USAGE_FIELD.length; i++) {
            for (int j = 0; j < USAGE_FIELD.length; j++) {
                if (bytes[i + j] != USAGE_FIELD[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static Optional<JsonNode> parse(byte[] json) {
        if (json.length == 0 || json[0] != '{') {
            return Optional.empty();
        }
        try {
            return Optional.of(ChatJson.mapper().readTree(json)).filter(JsonNode::isObject);
        } catch (java.io.IOException | RuntimeException notJson) {
            return Optional.empty();
        }
    }
}
