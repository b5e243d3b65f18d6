package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.application.port.out.AttemptRequest;
import java.io.IOException;

/** The body sent upstream: the client's bytes verbatim, unless the upstream needs another model name. */
public final class ChatRequestBody {

    private ChatRequestBody() {
    }

    /**
     * The attempt's body for its upstream. When the upstream takes the very name the client sent, the bytes go as they
     * are without a look: the inbound edge read that name from this body's top-level {@code model} and refused a key
     * given twice, so there is nothing to rewrite. This spares a second pass over the prompt for clients that write
     * {@code model} after their messages.
     */
    public static BodyBytes forUpstream(AttemptRequest request) {
        if (request.requestedModel().equals(request.upstreamModel())) {
            return request.body();
        }
        byte[] client = request.body().bytes();
        byte[] sent = forUpstream(client, request.upstreamModel());
        return sent == client ? request.body() : BodyBytes.of(sent);
    }

    /**
     * The client's bytes with the top-level {@code model} replaced by {@code upstreamModel}, everything else exactly
     * as the client wrote it. Only the name's bytes are rewritten: reading a 256 KB prompt into a tree and writing it
     * back costs ~0.5 and ~0.7 ms ({@link ChatJson#bytes}), the splice a token pass and one copy. A body the splice is
     * not sure of (no top-level model string, or two) is rewritten through the tree.
     */
    public static byte[] forUpstream(byte[] clientBody, String upstreamModel) {
        ModelName found = topLevelModel(clientBody, upstreamModel);
        if (found == ModelName.ALREADY_THERE) {
            return clientBody;
        }
        if (found != null) {
            return found.replacedBy(clientBody, upstreamModel);
        }
        return ChatJson.object(clientBody)
                .map(body -> ChatJson.bytes(body.put("model", upstreamModel)))
                // Not an object: the inbound adapter let it through, so let the upstream judge it.
                .orElse(clientBody);
    }

    /**
     * Whether a Chat client asked for the usage chunk at the end of its stream. Read token by token, as a tree of the whole
     * body would answer (the last {@code stream_options} counts); the prompt beside it is skipped, not built.
     */
    public static boolean includeUsage(byte[] chatBody) {
        return includeUsage(BodyBytes.of(chatBody));
    }

    /** {@link #includeUsage(byte[])} for a client's body as the attempt carries it. */
    public static boolean includeUsage(BodyBytes chatBody) {
        try (JsonParser parser = ChatJson.TOKENS.createParser(chatBody.array(), 0, chatBody.length())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean include = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if ("stream_options".equals(field)) {
                    // The last one counts, as in a tree; one that is no object asks for nothing.
                    include = parser.currentToken() == JsonToken.START_OBJECT && includeUsageIn(parser);
                }
                parser.skipChildren();
            }
            return include;
        } catch (IOException notJson) {
            return false;
        }
    }

    /**
     * {@code include_usage} of the {@code stream_options} object the parser is at, read to the object's end, as a
     * tree's {@code asBoolean(false)} reads it: {@code true}, a non-zero integer or the text {@code "true"}.
     */
    private static boolean includeUsageIn(JsonParser parser) throws IOException {
        boolean include = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("include_usage".equals(field)) {
                include = switch (value) {
                    case VALUE_TRUE -> true;
                    case VALUE_NUMBER_INT -> parser.getBigIntegerValue().signum() != 0;
                    case VALUE_STRING -> "true".equals(parser.getText().trim());
                    default -> false;
                };
            }
            parser.skipChildren();
        }
        return include;
    }

    /**
     * Where the body's one top-level {@code model} string lies; {@link ModelName#ALREADY_THERE} as soon as it names
     * {@code wanted} (the inbound edge refused bodies with a key given twice); null when there is none, two, or the
     * body is not a JSON object.
     */
    private static ModelName topLevelModel(byte[] body, String wanted) {
        ModelName found = null;
        try (JsonParser parser = ChatJson.TOKENS.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("model".equals(field)) {
                    if (found != null || value != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    long start = parser.currentTokenLocation().getByteOffset();
                    if (wanted.equals(parser.getText())) {
                        return ModelName.ALREADY_THERE;
                    }
                    found = new ModelName((int) start, (int) parser.currentLocation().getByteOffset());
                }
                parser.skipChildren();
            }
            return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null ? found : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    /** The bytes of the top-level model's JSON string, quotes included: {@code [start, end)}. */
    private record ModelName(int start, int end) {

        static final ModelName ALREADY_THERE = new ModelName(0, 0);

        byte[] replacedBy(byte[] body, String model) {
            byte[] name = ChatJson.bytes(TextNode.valueOf(model));
            byte[] spliced = new byte[body.length - (end - start) + name.length];
            System.arraycopy(body, 0, spliced, 0, start);
            System.arraycopy(name, 0, spliced, start, name.length);
            System.arraycopy(body, end, spliced, start + name.length, body.length - end);
            return spliced;
        }
    }
}
