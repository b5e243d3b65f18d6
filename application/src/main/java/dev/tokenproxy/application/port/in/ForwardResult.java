package dev.tokenproxy.application.port.in;

import dev.tokenproxy.application.model.UpstreamReply;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** How a forwarded request ended: a reply to deliver, or a gateway failure to report in the inbound format. */
public sealed interface ForwardResult {

    /** What the request went through on its way to this result. */
    ForwardSummary summary();

    /** An upstream reply (possibly a non-2xx one delivered verbatim). */
    record Delivered(UpstreamReply reply, ForwardSummary summary) implements ForwardResult {
        public Delivered {
            Objects.requireNonNull(reply, "reply");
            Objects.requireNonNull(summary, "summary");
        }

        public Delivered(UpstreamReply reply) {
            this(reply, ForwardSummary.NONE);
        }
    }

    /** The gateway itself answers, because no upstream reply can be delivered. */
    record Failed(GatewayFailure failure, String message, Optional<Duration> retryAfter, ForwardSummary summary)
            implements ForwardResult {
        public Failed {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(retryAfter, "retryAfter");
            Objects.requireNonNull(summary, "summary");
        }

        public Failed(GatewayFailure failure, String message, Optional<Duration> retryAfter) {
            this(failure, message, retryAfter, ForwardSummary.NONE);
        }
    }
}
