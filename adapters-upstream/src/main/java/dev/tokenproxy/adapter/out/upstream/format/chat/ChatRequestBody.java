package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Objects;

/** The body sent upstream: the client's bytes verbatim, unless the upstream needs another model name. */
public final class ChatRequestBody {

    private ChatRequestBody() {
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
