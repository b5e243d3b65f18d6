package dev.tokenproxy.application.model;

import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.util.Objects;

/** One usable credential of an upstream: its bookkeeping key and the secret sent upstream. */
public record Credential(CredentialKey key, Secret secret) {
    public Credential {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(secret, "secret");
    }
}
