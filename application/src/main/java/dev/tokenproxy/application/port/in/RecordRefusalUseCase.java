package dev.tokenproxy.application.port.in;

import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP adapter refused a request before it became a command (no local key, body too large or malformed,
 * overloaded): the gateway still keeps a record of it, one that bills nothing.
 */
public interface RecordRefusalUseCase {

    RecordRefusalUseCase IGNORE = refused -> { };

    void refused(Refusal refusal);

    /**
     * @param model  the requested model, when the body was read far enough to know it
     * @param code   the gateway's error code, e.g. {@code request_too_large}
     */
    record Refusal(String requestId, InboundFormat format, Optional<String> model, int status, String code) {
        public Refusal {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(code, "code");
        }
    }
}
