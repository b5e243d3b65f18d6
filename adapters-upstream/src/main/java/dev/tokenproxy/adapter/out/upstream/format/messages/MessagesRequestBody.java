package dev.tokenproxy.adapter.out.upstream.format.messages;

import dev.tokenproxy.adapter.out.upstream.format.chat.ChatRequestBody;
import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.application.port.out.AttemptRequest;

/**
 * A Messages client's body for a Messages upstream: its bytes verbatim unless the upstream knows the model by another
 * name. Messages names the model in a top-level {@code model} too, so Chat's rule applies as it is.
 */
public final class MessagesRequestBody {

    private MessagesRequestBody() {
    }

    /** See {@link ChatRequestBody#forUpstream(AttemptRequest)}. */
    public static BodyBytes forUpstream(AttemptRequest request) {
        return ChatRequestBody.forUpstream(request);
    }

    public static byte[] forUpstream(byte[] clientBody, String upstreamModel) {
        return ChatRequestBody.forUpstream(clientBody, upstreamModel);
    }
}
