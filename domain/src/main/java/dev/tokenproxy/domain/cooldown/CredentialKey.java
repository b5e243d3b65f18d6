package dev.tokenproxy.domain.cooldown;

import java.util.Objects;

/**
 * Names one credential for cooldown bookkeeping: an upstream and one of its API keys or accounts.
 * It never holds the secret itself, so it is safe to log and to show in the admin API.
 *
 * @param upstreamId   the configured upstream id
 * @param credentialId e.g. {@code key-1} for the first API key, or an account id
 */
public record CredentialKey(String upstreamId, String credentialId) {
    public CredentialKey {
        Objects.requireNonNull(upstreamId, "upstreamId");
        Objects.requireNonNull(credentialId, "credentialId");
    }

    @Override
    public String toString() {
        return upstreamId + "/" + credentialId;
    }
}
