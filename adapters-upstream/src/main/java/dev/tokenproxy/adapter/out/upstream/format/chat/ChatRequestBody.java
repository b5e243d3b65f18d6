package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
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
     * Whether a Chat client asked for the usage chunk at the end of its stream. Only {@code stream_options} is read
     * as a tree (the last one, as a tree of the whole body would keep); the prompt beside it is skipped, not built.
     */
    public static boolean includeUsage(byte[] chatBody) {
        return includeUsage(BodyBytes.of(chatBody));
    }

    /** {@link #includeUsage(byte[])} for a client's body as the attempt carries it. */
    public static boolean includeUsage(BodyBytes chatBody) {
        try (JsonParser parser = ChatJson.MAPPER.createParser(chatBody.array(), 0, chatBody.length())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean include = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if ("stream_options".equals(field)) {
                    JsonNode options = parser.readValueAsTree();
                    include = options != null && options.path("include_usage").asBoolean(false);
                } else {
                    parser.skipChildren();
                }
            }
            return include;
        } catch (IOException notJson) {
            return false;
        }
    }

    /**
     * Where the body's one top-level {@code model} string lies; {@link ModelName#ALREADY_THERE} as soon as it names
     * {@code wanted} (the inbound edge refused bodies with a key given twice); null when there is none, two, or the
     * body is not a JSON object.
     */
    private static ModelName topLevelModel(byte[] body, String wanted) {
        ModelName found = null;
        try (JsonParser parser = ChatJson.MAPPER.getFactory().createParser(body)) {
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
