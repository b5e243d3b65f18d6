package dev.tokenproxy.domain.cooldown;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A credential's cooldown: resting until {@code until}, after {@code consecutiveFailures} failures in a row.
 * After {@code until} the credential is half-open: the next request probes it, and a success clears this state.
 *
 * @param until               when the credential may be tried again
 * @param consecutiveFailures failures in a row that led here; the next transient cooldown doubles from it
 */
public record CooldownState(Instant until, int consecutiveFailures) {
    public CooldownState {
        Objects.requireNonNull(until, "until");
        if (consecutiveFailures < 1) {
            throw new IllegalArgumentException("consecutiveFailures must be >= 1");
        }
    }

    /** Whether the credential still rests at {@code now}. */
    public boolean isCooling(Instant now) {
        return until.isAfter(now);
    }

    /** How much longer it rests after {@code now}; zero once it is half-open. */
    public Duration remaining(Instant now) {
        return isCooling(now) ? Duration.between(now, until) : Duration.ZERO;
    }
}
