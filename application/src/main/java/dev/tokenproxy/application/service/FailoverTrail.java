package dev.tokenproxy.application.service;

import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.ForwardSummary;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.cooldown.WaitSeconds;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What one request's failover went through, kept so that the final answer follows behaviour §4.5 when nothing
 * succeeded. Not thread-safe: one per request.
 */
final class FailoverTrail {

    private int candidates;
    private int attempts;
    private int skipped;
    private Instant earliestRecovery;
    private UpstreamReply lastUpstreamReply;
    /** The upstream whose credential was refused, when that refusal is the last upstream reply. */
    private String refusedCredentialOf;
    private int refusedStatus;
    private RetryReason lastReason;
    private boolean deadlinePassed;
    private boolean timedOut;

    void candidates(int count) {
        candidates = count;
    }

    void attempted(CredentialKey credential, AttemptOutcome<UpstreamReply> outcome) {
        if (outcome instanceof AttemptOutcome.SkippedAuth<UpstreamReply>
                || outcome instanceof AttemptOutcome.Retryable<UpstreamReply> r && r.reason() == RetryReason.REFRESH_FAILED) {
            return; // nothing was sent: not an attempt (behaviour §4.3)
        }
        attempts++;
        if (outcome instanceof AttemptOutcome.Retryable<UpstreamReply> r) {
            lastReason = r.reason();
            timedOut |= r.reason().isTimeout();
            if (r.upstreamResponse().isPresent()) {
                lastUpstreamReply = r.response();
                boolean credentialRefused = r.reason() == RetryReason.CREDENTIAL_REJECTED
                        && r.status() >= 401 && r.status() <= 403;
                refusedCredentialOf = credentialRefused ? credential.upstreamId() : null;
                refusedStatus = r.status();
            }
        } else if (outcome instanceof AttemptOutcome.Success<UpstreamReply> s) {
            lastUpstreamReply = s.response();
            refusedCredentialOf = null;
        }
    }

    int attempts() {
        return attempts;
    }

    void skippedForCredentials() {
        skipped++;
    }

    void allCooling(Instant recovery) {
        if (earliestRecovery == null || recovery.isBefore(earliestRecovery)) {
            earliestRecovery = recovery;
        }
    }

    void deadlinePassed() {
        deadlinePassed = true;
    }

    /** The answer when no attempt was delivered, in the order of behaviour §4.5. */
    ForwardResult finalResult(Instant now) {
        if (attempts == 0 && !deadlinePassed) {
            if (earliestRecovery != null) {
                Duration wait = Duration.between(now, earliestRecovery);
                return failed(GatewayFailure.ALL_COOLING,
                        "every upstream credential for this model is cooling down; retry later",
                        Optional.of(Duration.ofSeconds(WaitSeconds.roundedUp(wait.isNegative() ? Duration.ZERO : wait))));
            }
            if (skipped == candidates) {
                return failed(GatewayFailure.NO_CONFIGURED_CREDENTIAL,
                        "no upstream serving this model has a usable credential", Optional.empty());
            }
        }
        if (refusedCredentialOf != null) {
            // Behaviour §4.5: the upstream refused *our* key or account; shown as the client's 401 the user would
            // go and check their local key. Named by upstream, never by the key.
            return failed(GatewayFailure.UPSTREAM_CREDENTIAL_REJECTED, "upstream '" + refusedCredentialOf
                    + "' rejected the credential the gateway holds for it (HTTP " + refusedStatus + "); check the "
                    + "API key or account configured for that upstream", Optional.empty());
        }
        if (lastUpstreamReply != null) {
            return new ForwardResult.Delivered(lastUpstreamReply, summary());
        }
        // §4.5 ranks a timeout above a transport error, wherever in the trail it happened.
        if (deadlinePassed || timedOut) {
            return failed(GatewayFailure.TIMEOUT, "the upstreams did not answer in time", Optional.empty());
        }
        return failed(GatewayFailure.UPSTREAM_UNAVAILABLE, "no upstream could serve the request ("
                + describe(lastReason) + ")", Optional.empty());
    }

    private ForwardResult failed(GatewayFailure failure, String message, Optional<Duration> retryAfter) {
        return new ForwardResult.Failed(failure, message, retryAfter, summary());
    }

    /** The summary of a request whose answer no upstream served (a remembered reply is not "served"). */
    ForwardSummary summary() {
        return new ForwardSummary(attempts, Optional.empty(), Optional.empty());
    }

    private static String describe(RetryReason reason) {
        return reason == null ? "no attempt was made" : "last failure: " + reason.describe();
    }
}
