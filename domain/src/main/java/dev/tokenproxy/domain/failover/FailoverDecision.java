package dev.tokenproxy.domain.failover;

import dev.tokenproxy.domain.attempt.AttemptOutcome;
import java.util.Objects;

/**
 * What the failover loop does after one attempt, as {@link FailoverPolicy} decided it. The loop is a switch over
 * these five; it holds no rule of its own.
 *
 * @param <C> a credential (API key or account)
 * @param <R> the deliverable response
 */
public sealed interface FailoverDecision<C, R> {

    /**
     * Stop everything and answer with this outcome: a 2xx success, or a rejection no one else would accept.
     *
     * @param outcome what the client gets
     */
    record Deliver<C, R>(AttemptOutcome<R> outcome) implements FailoverDecision<C, R> {
        public Deliver {
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** Send the same request again at once, to the same upstream with the same credential. */
    record ResendInPlace<C, R>() implements FailoverDecision<C, R> {
    }

    /** The account's token was refused: refresh it, then resend to the same account (both sends are attempts). */
    record RefreshThenResend<C, R>() implements FailoverDecision<C, R> {
    }

    /**
     * Try {@code credential}, the next one of this upstream's pool.
     *
     * @param credential the credential to send the request with next
     */
    record NextCredential<C, R>(C credential) implements FailoverDecision<C, R> {
        public NextCredential {
            Objects.requireNonNull(credential, "credential");
        }
    }

    /**
     * This upstream can do no more for the request: go on with the next upstream.
     *
     * @param poolResult what the pool ended with: a failure to remember, or {@code SkippedAuth} when no usable
     *                   credential was found (the upstream then counts as skipped, not as attempted)
     */
    record SkipUpstream<C, R>(AttemptOutcome<R> poolResult) implements FailoverDecision<C, R> {
        public SkipUpstream {
            Objects.requireNonNull(poolResult, "poolResult");
        }
    }
}
