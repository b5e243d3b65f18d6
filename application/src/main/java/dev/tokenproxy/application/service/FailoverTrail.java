package dev.tokenproxy.application.service;

import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.RetryReason;
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
    private RetryReason lastReason;
    private boolean deadlinePassed;
    private boolean timedOut;

    void candidates(int count) {
        candidates = count;
    }

    void attempted(AttemptOutcome<UpstreamReply> outcome) {
        if (outcome instanceof AttemptOutcome.SkippedAuth<UpstreamReply>) {
            return; // nothing was sent: not an attempt (behaviour §4.3)
        }
        attempts++;
        if (outcome instanceof AttemptOutcome.Retryable<UpstreamReply> r) {
            lastReason = r.reason();
            timedOut |= r.reason().isTimeout();
            r.upstreamResponse().ifPresent(reply -> lastUpstreamReply = reply);
        } else if (outcome instanceof AttemptOutcome.Success<UpstreamReply> s) {
            lastUpstreamReply = s.response();
        }
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
        if (lastUpstreamReply != null) {
            return new ForwardResult.Delivered(lastUpstreamReply);
        }
        // §4.5 ranks a timeout above a transport error, wherever in the trail it happened.
        if (deadlinePassed || timedOut) {
            return failed(GatewayFailure.TIMEOUT, "the upstreams did not answer in time", Optional.empty());
        }
        return failed(GatewayFailure.UPSTREAM_UNAVAILABLE, "no upstream could serve the request ("
                + describe(lastReason) + ")", Optional.empty());
    }

    private static ForwardResult failed(GatewayFailure failure, String message, Optional<Duration> retryAfter) {
        return new ForwardResult.Failed(failure, message, retryAfter);
    }

    private static String describe(RetryReason reason) {
        return reason == null ? "no attempt was made" : "last failure: " + reason.name().toLowerCase().replace('_', ' ');
    }
}
