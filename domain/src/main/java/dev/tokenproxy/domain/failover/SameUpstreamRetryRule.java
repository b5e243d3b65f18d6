package dev.tokenproxy.domain.failover;

import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;

/**
 * Whether a failed attempt may be resent at once to the same upstream with the same credential
 * (behaviour §4.3): only transient failures that carry no wait hint. We never wait inside a request,
 * so a 429 or anything with Retry-After fails over instead.
 */
public final class SameUpstreamRetryRule {

    private SameUpstreamRetryRule() {
    }

    public static boolean allowsInPlaceRetry(AttemptOutcome<?> outcome) {
        return outcome instanceof AttemptOutcome.Retryable<?> r
                && r.reason().allowsInPlaceRetry()
                && !(r.cooldown() instanceof CooldownRule.Hinted);
    }
}
