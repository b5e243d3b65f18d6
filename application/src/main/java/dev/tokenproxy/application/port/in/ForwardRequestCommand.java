package dev.tokenproxy.application.port.in;

import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.Objects;
import java.util.Set;

/**
 * A client request to forward.
 *
 * @param model            the model the client asked for
 * @param body             the client's JSON body, forwarded as bytes
 * @param allowedUpstreams upstream ids the client's local key may use; {@code *} admits all
 * @param requestId        names the request in log lines (the client's {@code x-request-id} or one made up)
 */
public record ForwardRequestCommand(InboundFormat format, String model, boolean stream, byte[] body,
                                    Set<String> allowedUpstreams, String requestId) {
    public ForwardRequestCommand {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(body, "body");
        allowedUpstreams = Set.copyOf(allowedUpstreams);
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model is required");
        }
    }

    public ForwardRequestCommand(InboundFormat format, String model, boolean stream, byte[] body,
                                 Set<String> allowedUpstreams) {
        this(format, model, stream, body, allowedUpstreams, "-");
    }

    public boolean mayUse(String upstreamId) {
        return allowedUpstreams.contains("*") || allowedUpstreams.contains(upstreamId);
    }
}
