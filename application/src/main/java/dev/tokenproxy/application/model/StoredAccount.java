package dev.tokenproxy.application.model;

import dev.tokenproxy.domain.account.AccountStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One account of the account store (configuration contract, {@code accounts_file}): a refreshable login.
 *
 * @param provider     the provider kind it logs in to, e.g. {@code codex}
 * @param refreshToken empty when the account cannot be refreshed (it then lives until its access token expires)
 * @param expiresAt    when the access token expires, if known
 * @param attributes   provider attributes kept with the account, e.g. {@code chatgpt_account_id}, {@code email},
 *                     {@code profile_arn}; never secrets
 */
public record StoredAccount(String id, String provider, AccountStatus status, Secret accessToken,
                            Optional<Secret> refreshToken, Optional<Instant> expiresAt,
                            Map<String, String> attributes) {

    public StoredAccount {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(expiresAt, "expiresAt");
        attributes = Map.copyOf(attributes);
    }

    public StoredAccount withStatus(AccountStatus newStatus) {
        return new StoredAccount(id, provider, newStatus, accessToken, refreshToken, expiresAt, attributes);
    }

    /** The account after a successful refresh: new tokens, attributes merged (new values win). */
    public StoredAccount refreshed(Secret newAccess, Optional<Secret> newRefresh, Optional<Instant> newExpiry,
                                   Map<String, String> newAttributes) {
        var merged = new java.util.LinkedHashMap<>(attributes);
        merged.putAll(newAttributes);
        return new StoredAccount(id, provider, AccountStatus.ACTIVE, newAccess,
                newRefresh.isPresent() ? newRefresh : refreshToken, newExpiry, merged);
    }

    @Override
    public String toString() {
        return "StoredAccount[" + id + ", " + provider + ", " + status.wireName() + "]";
    }
}
