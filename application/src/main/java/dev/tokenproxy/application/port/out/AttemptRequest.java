package dev.tokenproxy.application.port.out;

import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Instant;
import java.util.Objects;

/**
 * One attempt to send: to one upstream, with one credential.
 *
 * @param requestedModel the model the client asked for (possibly {@code upstream-id/model})
 * @param upstreamModel  the model name to put in the upstream request (after prefix removal and mapping)
 * @param body           the client's JSON body, untouched; the adapter rewrites {@code model} when it differs
 * @param deadline       the request deadline; the attempt must give up by then
 */
public record AttemptRequest(Upstream upstream, Credential credential, InboundFormat format, String requestedModel,
                             String upstreamModel, byte[] body, boolean stream, AttemptTimeouts timeouts,
                             Instant deadline) {
    public AttemptRequest {
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
