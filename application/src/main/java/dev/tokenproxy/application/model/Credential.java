package dev.tokenproxy.application.model;

import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One credential an attempt is sent with: an upstream's API key, or a logged-in account. Either way it has a
 * bookkeeping key (safe to log) and a bearer secret (never logged: {@link Secret} redacts itself).
 */
public sealed interface Credential {

    CredentialKey key();

    /** What the upstream is sent as the bearer token: the API key, or the account's access token. */
    Secret secret();

    /** An API key from configuration; its id is {@code key-1}, {@code key-2}, ... in configuration order. */
    record ApiKey(CredentialKey key, Secret secret) implements Credential {
        public ApiKey {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(secret, "secret");
        }
    }

    /**
     * A stored account, as one upstream uses it.
     *
     * @param accessToken the current access token
     * @param expiresAt   when the access token stops working, if known
     * @param attributes  provider attributes sent with requests, e.g. {@code chatgpt_account_id}
     */
    record Account(CredentialKey key, Secret accessToken, Optional<Instant> expiresAt,
                   Map<String, String> attributes) implements Credential {
        public Account {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(expiresAt, "expiresAt");
            attributes = Map.copyOf(attributes);
        }

        /** The account id in the store. */
        public String accountId() {
            return key.credentialId();
        }

        @Override
        public Secret secret() {
            return accessToken;
        }

        public Optional<String> attribute(String name) {
            return Optional.ofNullable(attributes.get(name));
        }
    }
}
