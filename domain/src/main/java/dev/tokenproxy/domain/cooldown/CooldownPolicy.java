package dev.tokenproxy.domain.cooldown;

import dev.tokenproxy.domain.attempt.CooldownRule;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Cooldown arithmetic of behaviour §5: how long a credential rests after a failed attempt.
 *
 * @param base       first cooldown of a transient failure; doubles per consecutive failure
 * @param max        cap of the doubling
 * @param credential cooldown of a rejected credential (401 after refresh, 402, 403)
 * @param hintMax    cap for upstream wait hints (Retry-After, provider reset times)
 */
public record CooldownPolicy(Duration base, Duration max, Duration credential, Duration hintMax) {

    /** The defaults of behaviour §5: 10 s doubling to 30 s, 300 s for a refused credential, hints capped at 24 h. */
    public static final CooldownPolicy DEFAULTS = new CooldownPolicy(
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(300), Duration.ofHours(24));

    /** Doubling stops here long before it could overflow; 2^20 x base is beyond any sensible cap. */
    private static final int MAX_DOUBLINGS = 20;

    public CooldownPolicy {
        for (var d : new Duration[] {base, max, credential, hintMax}) {
            Objects.requireNonNull(d, "durations must not be null");
            if (d.isNegative()) {
                throw new IllegalArgumentException("cooldown durations must not be negative: " + d);
            }
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("max (" + max + ") must be at least base (" + base + ")");
        }
    }

    /**
     * The state after a failure under {@code rule}, given the state before it (null when the credential was
     * healthy). A later deadline never shortens an earlier one; {@link CooldownRule#NONE} changes nothing.
     */
    public CooldownState afterFailure(CooldownRule rule, CooldownState previous, Instant now) {
        int failures = previous == null ? 1 : previous.consecutiveFailures() + 1;
        Duration length = switch (rule) {
            case CooldownRule.None none -> null;
            case CooldownRule.Transient t -> transientLength(failures);
            case CooldownRule.Credential c -> credential;
            case CooldownRule.Hinted h -> min(h.delay(), hintMax);
        };
        if (length == null) {
            return previous;
        }
        Instant until = now.plus(length);
        if (previous != null && previous.until().isAfter(until)) {
            until = previous.until();
        }
        return new CooldownState(until, failures);
    }

    Duration transientLength(int consecutiveFailures) {
        int doublings = Math.min(consecutiveFailures - 1, MAX_DOUBLINGS);
        return min(base.multipliedBy(1L << doublings), max);
    }

    /** How long a state is worth keeping after it expired, so that the next failure still doubles. */
    public Duration memory() {
        return max.multipliedBy(2);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
