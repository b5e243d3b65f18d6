package dev.tokenproxy.application.port.in;

import dev.tokenproxy.domain.account.UsageSnapshot;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The operator's view of upstreams, accounts and cooldowns, and the one change it allows: clearing a cooldown. */
public interface CredentialStatusUseCase {

    List<UpstreamStatus> upstreams();

    List<AccountStatusView> accounts();

    /** Credentials cooling now, soonest recovery first. */
    List<CooldownView> cooldowns();

    /** Makes the credential usable at once; false when it was not cooling. */
    boolean clearCooldown(CredentialKey key);

    /**
     * @param endpoint the base URL without user info or query, which may hold secrets
     */
    record UpstreamStatus(String id, String provider, String endpoint, int priority, boolean enabled,
                          Set<String> models, List<CredentialView> credentials) {
        public UpstreamStatus {
            models = Set.copyOf(models);
            credentials = List.copyOf(credentials);
        }
    }

    /**
     * One credential of an upstream by its label, never its secret.
     *
     * @param state {@code available}, {@code cooling}, {@code disabled} or {@code needs_login}
     */
    record CredentialView(String credentialId, String state, Optional<Instant> coolingUntil, long coolingSecondsLeft) {
        public CredentialView {
            Objects.requireNonNull(coolingUntil, "coolingUntil");
        }
    }

    /**
     * One stored account, as the operator needs it; its tokens are never part of it.
     *
     * @param usedBy the upstreams that draw it, each with its state, cooldown and latest usage windows
     */
    record AccountStatusView(String id, String provider, String status, Optional<Instant> expiresAt,
                             boolean needsLogin, List<AccountUse> usedBy) {
        public AccountStatusView {
            Objects.requireNonNull(expiresAt, "expiresAt");
            usedBy = List.copyOf(usedBy);
        }
    }

    /** An account as one upstream uses it. */
    record AccountUse(String upstreamId, CredentialView credential, Optional<UsageSnapshot> usage) {
        public AccountUse {
            Objects.requireNonNull(usage, "usage");
        }
    }

    record CooldownView(CredentialKey key, Instant until, long secondsLeft) {
    }
}
