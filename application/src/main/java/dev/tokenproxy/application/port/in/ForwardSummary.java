package dev.tokenproxy.application.port.in;

import dev.tokenproxy.domain.attempt.TokenUsage;
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
 * @param usage       the tokens of an answer delivered whole, as its upstream reported them; a stream's are known
 *                    only at its end, from the stream itself
 */
public record ForwardSummary(int attempts, Optional<CredentialKey> servedBy, Optional<String> servedModel,
                             TokenUsage usage) {

    public static final ForwardSummary NONE = new ForwardSummary(0, Optional.empty(), Optional.empty());

    public ForwardSummary {
        Objects.requireNonNull(servedBy, "servedBy");
        Objects.requireNonNull(servedModel, "servedModel");
        Objects.requireNonNull(usage, "usage");
    }

    /** A summary without usage: nothing delivered, or a stream. */
    public ForwardSummary(int attempts, Optional<CredentialKey> servedBy, Optional<String> servedModel) {
        this(attempts, servedBy, servedModel, TokenUsage.NONE);
    }
}
