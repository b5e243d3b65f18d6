package dev.tokenproxy.application.port.in;

import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.util.Objects;
import java.util.Optional;

/**
 * What a forwarded request went through, for the operator's request line and the client's
 * {@code x-token-proxy-*} headers. Labels only: a credential is named by its key, never by its secret.
 *
 * @param attempts    requests actually sent upstream (skipped credentials do not count)
 * @param servedBy    the upstream and credential whose answer is delivered, if one is
 * @param servedModel the model name sent to that upstream (after mapping), if one served
 */
public record ForwardSummary(int attempts, Optional<CredentialKey> servedBy, Optional<String> servedModel) {

    public static final ForwardSummary NONE = new ForwardSummary(0, Optional.empty(), Optional.empty());

    public ForwardSummary {
        Objects.requireNonNull(servedBy, "servedBy");
        Objects.requireNonNull(servedModel, "servedModel");
    }
}
