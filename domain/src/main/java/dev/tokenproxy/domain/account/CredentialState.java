package dev.tokenproxy.domain.account;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether one credential of a pool (an account, or an upstream's API key) may be tried now. Only
 * {@link Available} credentials are chosen; the others say why not, for the operator and for the final answer.
 */
public sealed interface CredentialState {

    /** The one {@link Available} state; it carries nothing, so one instance serves. */
    CredentialState AVAILABLE = new Available();

    /**
     * The state of a credential at {@code now}: a disabled or logged-out account is never available, whatever its
     * cooldown; an active one is available unless it cools past {@code now}.
     *
     * @param status         what the store says about the account ({@link AccountStatus#ACTIVE} for an API key)
     * @param coolingUntil   the latest of the credential's cooldown and of a usage window it has used up, if any
     * @param now            the time of the question
     * @return the state at {@code now}
     */
    static CredentialState of(AccountStatus status, Optional<Instant> coolingUntil, Instant now) {
        return switch (status) {
            case DISABLED -> new Disabled();
            case NEEDS_LOGIN -> new NeedsLogin();
            case ACTIVE -> coolingUntil.filter(now::isBefore).<CredentialState>map(Cooling::new).orElse(AVAILABLE);
        };
    }

    /** Whether the credential may be tried now. */
    default boolean isAvailable() {
        return this instanceof Available;
    }

    /** Ready (or half-open: its cooldown has expired and the next request probes it). */
    record Available() implements CredentialState {
    }

    /** Failed recently, or used up its usage window; usable again at {@code until}. */
    record Cooling(Instant until) implements CredentialState {
        public Cooling {
            Objects.requireNonNull(until, "until");
        }
    }

    /** Switched off by the operator. */
    record Disabled() implements CredentialState {
    }

    /** Its refresh token was rejected for good; only a new login brings it back. */
    record NeedsLogin() implements CredentialState {
    }
}
