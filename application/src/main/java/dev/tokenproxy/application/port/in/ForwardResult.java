package dev.tokenproxy.application.port.in;

import dev.tokenproxy.application.model.UpstreamReply;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** How a forwarded request ended: a reply to deliver, or a gateway failure to report in the inbound format. */
public sealed interface ForwardResult {

    /** An upstream reply (possibly a non-2xx one delivered verbatim). */
    record Delivered(UpstreamReply reply) implements ForwardResult {
        public Delivered {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /** The gateway itself answers, because no upstream reply can be delivered. */
    record Failed(GatewayFailure failure, String message, Optional<Duration> retryAfter) implements ForwardResult {
        public Failed {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }
}
