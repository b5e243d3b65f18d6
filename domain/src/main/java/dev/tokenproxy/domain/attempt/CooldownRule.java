package dev.tokenproxy.domain.attempt;

import java.time.Duration;
import java.util.Objects;

/** How a failed attempt cools the credential that made it (behaviour §5). */
public sealed interface CooldownRule {

    /** Never cools: empty completions, request-scoped errors. */
    CooldownRule NONE = new None();
    /** Transient failure: base length, doubling on consecutive failures, capped. */
    CooldownRule TRANSIENT = new Transient();
    /** The credential itself was rejected (401 after refresh, 402, 403). */
    CooldownRule CREDENTIAL = new Credential();

    static CooldownRule hinted(Duration wait) {
        return new Hinted(wait);
    }

    record None() implements CooldownRule {
    }

    record Transient() implements CooldownRule {
    }

    record Credential() implements CooldownRule {
    }

    /** The upstream said how long to wait (Retry-After, a reset time); capped by the hint maximum. */
    record Hinted(Duration delay) implements CooldownRule {
        public Hinted {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                delay = Duration.ZERO;
            }
        }
    }
}
