package dev.tokenproxy.application.port.in;

import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A client request to forward.
 *
 * @param model            the model the client asked for
 * @param body             the client's JSON body, forwarded as bytes; valid until {@code forward} returns
 * @param allowedUpstreams upstream ids the client's local key may use; {@code *} admits all
 * @param requestId        names the request in log lines (the client's {@code x-request-id} or one made up)
 * @param clientHeaders    the few client headers an upstream of the client's own API may need (Anthropic's
 *                         {@code anthropic-beta}, {@code anthropic-version}), names in lower case; chosen by the
 *                         inbound adapter, never credentials
 */
public record ForwardRequestCommand(InboundFormat format, String model, boolean stream, BodyBytes body,
                                    Set<String> allowedUpstreams, String requestId,
                                    Map<String, String> clientHeaders) {
    public ForwardRequestCommand {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(body, "body");
        allowedUpstreams = Set.copyOf(allowedUpstreams);
        clientHeaders = Map.copyOf(clientHeaders);
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model is required");
        }
    }

    /** A request whose client sent no header an upstream needs. */
    public ForwardRequestCommand(InboundFormat format, String model, boolean stream, byte[] body,
                                 Set<String> allowedUpstreams, String requestId) {
        this(format, model, stream, BodyBytes.of(body), allowedUpstreams, requestId, Map.of());
    }

    public ForwardRequestCommand(InboundFormat format, String model, boolean stream, byte[] body,
                                 Set<String> allowedUpstreams) {
        this(format, model, stream, body, allowedUpstreams, "-");
    }

    public boolean mayUse(String upstreamId) {
        return allowedUpstreams.contains("*") || allowedUpstreams.contains(upstreamId);
    }
}
