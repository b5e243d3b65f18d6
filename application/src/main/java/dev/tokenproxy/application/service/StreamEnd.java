package dev.tokenproxy.application.service;

import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.util.Objects;

/** How a delivered stream ended, as {@link StreamEndWatch} saw it; each with the usage the stream reported. */
sealed interface StreamEnd {

    TokenUsage usage();

    /** The stream ran to its end as its format says. */
    record Completed(TokenUsage usage) implements StreamEnd {
    }

    /** The upstream broke the stream after its first output; the client got a terminal error event. */
    record Interrupted(AttemptSignal signal, TokenUsage usage) implements StreamEnd {
        public Interrupted {
            Objects.requireNonNull(signal, "signal");
        }
    }

    /** The client went away (or stopped reading) before the end: recorded as 499. */
    record ClientCancelled(TokenUsage usage) implements StreamEnd {
    }
}
