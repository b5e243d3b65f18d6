package dev.tokenproxy.application.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-attempt timeouts.
 *
 * @param connect     TCP (and TLS) connect
 * @param firstOutput first byte of a buffered response, or first real output of a stream
 * @param idle        silence between chunks
 */
public record AttemptTimeouts(Duration connect, Duration firstOutput, Duration idle) {
    public static final AttemptTimeouts DEFAULTS =
            new AttemptTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(120));

    public AttemptTimeouts {
        for (var d : new Duration[] {connect, firstOutput, idle}) {
            Objects.requireNonNull(d, "timeouts must not be null");
            // A zero limit would fail every attempt before it could start.
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive: " + d);
            }
        }
    }
}
