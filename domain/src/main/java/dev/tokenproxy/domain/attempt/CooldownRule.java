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

    /** Cool for as long as the upstream asked ({@code wait}; a negative wait counts as none). */
    static CooldownRule hinted(Duration wait) {
        return new Hinted(wait);
    }

    /** The credential is not to blame: it does not cool. Use {@link #NONE}. */
    record None() implements CooldownRule {
    }

    /** The upstream failed for now: cool by the doubling schedule. Use {@link #TRANSIENT}. */
    record Transient() implements CooldownRule {
    }

    /** The credential was refused: cool for the long, fixed credential cooldown. Use {@link #CREDENTIAL}. */
    record Credential() implements CooldownRule {
    }

    /**
     * The upstream said how long to wait (Retry-After, a reset time); capped by the hint maximum.
     *
     * @param delay how long the upstream asked for; never negative
     */
    record Hinted(Duration delay) implements CooldownRule {
        public Hinted {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                delay = Duration.ZERO;
            }
        }
    }
}
