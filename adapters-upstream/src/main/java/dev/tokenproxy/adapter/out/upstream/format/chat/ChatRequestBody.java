package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tokenproxy.application.port.out.AttemptRequest;
import java.io.IOException;
import java.util.Objects;

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
    public static byte[] forUpstream(AttemptRequest request) {
        return request.requestedModel().equals(request.upstreamModel())
                ? request.body()
                : forUpstream(request.body(), request.upstreamModel());
    }

    public static byte[] forUpstream(byte[] clientBody, String upstreamModel) {
        // A streaming look at the top-level "model" spares a tree of a multi-megabyte prompt in the common case.
        if (Objects.equals(topLevelModel(clientBody), upstreamModel)) {
            return clientBody;
        }
        return ChatJson.object(clientBody)
                .map(body -> ChatJson.bytes(body.put("model", upstreamModel)))
                // Not an object: the inbound adapter let it through, so let the upstream judge it.
                .orElse(clientBody);
    }

    /** Whether a Chat client asked for the usage chunk at the end of its stream. */
    public static boolean includeUsage(byte[] chatBody) {
        return ChatJson.object(chatBody)
                .map(body -> body.path("stream_options").path("include_usage").asBoolean(false))
                .orElse(false);
    }

    private static String topLevelModel(byte[] body) {
        try (JsonParser parser = ChatJson.MAPPER.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("model".equals(field)) {
                    return value == JsonToken.VALUE_STRING ? parser.getText() : null;
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException notJson) {
            return null;
        }
    }
}
