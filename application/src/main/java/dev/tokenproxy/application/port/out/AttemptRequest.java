package dev.tokenproxy.application.port.out;

import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One attempt to send: to one upstream, with one credential.
 *
 * @param requestedModel the model the client asked for, exactly as its body's top-level {@code model} has it (possibly
 *                       {@code upstream-id/model}); adapters send the body untouched when it equals {@code upstreamModel}
 * @param upstreamModel  the model name to put in the upstream request (after prefix removal and mapping)
 * @param body           the client's JSON body, untouched; the adapter rewrites {@code model} when it differs. It is
 *                       the client request's own, valid until {@code send} returns: never keep it (see
 *                       {@link BodyBytes})
 * @param deadline       the request deadline; the attempt must give up by then
 * @param clientHeaders  client headers chosen by the inbound adapter (names in lower case) that an upstream speaking
 *                       the client's API may pass on, e.g. {@code anthropic-beta}; other providers ignore them
 */
public record AttemptRequest(Upstream upstream, Credential credential, InboundFormat format, String requestedModel,
                             String upstreamModel, BodyBytes body, boolean stream, AttemptTimeouts timeouts,
                             Instant deadline, Map<String, String> clientHeaders) {

    /** An attempt for a client that sent no header an upstream needs. */
    public AttemptRequest(Upstream upstream, Credential credential, InboundFormat format, String requestedModel,
                          String upstreamModel, byte[] body, boolean stream, AttemptTimeouts timeouts,
                          Instant deadline) {
        this(upstream, credential, format, requestedModel, upstreamModel, BodyBytes.of(body), stream, timeouts,
                deadline, Map.of());
    }

    /** An attempt whose body is a whole array of its own. */
    public AttemptRequest(Upstream upstream, Credential credential, InboundFormat format, String requestedModel,
                          String upstreamModel, byte[] body, boolean stream, AttemptTimeouts timeouts,
                          Instant deadline, Map<String, String> clientHeaders) {
        this(upstream, credential, format, requestedModel, upstreamModel, BodyBytes.of(body), stream, timeouts,
                deadline, clientHeaders);
    }

    public AttemptRequest {
        clientHeaders = Map.copyOf(clientHeaders);
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(requestedModel, "requestedModel");
        Objects.requireNonNull(upstreamModel, "upstreamModel");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(deadline, "deadline");
    }
}
