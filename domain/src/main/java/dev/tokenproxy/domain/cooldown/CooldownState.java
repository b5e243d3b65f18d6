package dev.tokenproxy.domain.cooldown;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A credential's cooldown: resting until {@code until}, after {@code consecutiveFailures} failures in a row.
 * After {@code until} the credential is half-open: the next request probes it, and a success clears this state.
 */
public record CooldownState(Instant until, int consecutiveFailures) {
    public CooldownState {
        Objects.requireNonNull(until, "until");
        if (consecutiveFailures < 1) {
            throw new IllegalArgumentException("consecutiveFailures must be >= 1");
        }
    }

    public boolean isCooling(Instant now) {
        return until.isAfter(now);
    }

    public Duration remaining(Instant now) {
        return isCooling(now) ? Duration.between(now, until) : Duration.ZERO;
    }
}
