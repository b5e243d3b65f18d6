package dev.tokenproxy.adapter.out.upstream.format.responses;

import dev.tokenproxy.adapter.out.upstream.format.chat.ChatRequestBody;
import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.application.port.out.AttemptRequest;

/**
 * A Responses client's body for a Responses upstream: its bytes verbatim unless the upstream knows the model by
 * another name. Both APIs name the model in a top-level {@code model}, so Chat's rule applies as it is.
 */
public final class ResponsesRequestBody {

    private ResponsesRequestBody() {
    }

    /** See {@link ChatRequestBody#forUpstream(AttemptRequest)}. */
    public static BodyBytes forUpstream(AttemptRequest request) {
        return ChatRequestBody.forUpstream(request);
    }

    public static byte[] forUpstream(byte[] clientBody, String upstreamModel) {
        return ChatRequestBody.forUpstream(clientBody, upstreamModel);
    }
}
