package dev.tokenproxy.domain.record;

import dev.tokenproxy.domain.attempt.RetryReason;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to a request that no attempt delivered, ranked as behaviour §4.5 orders the rules. A pure function of
 * the request's attempt records (completion order) and of what happened besides attempts ({@link Facts}).
 */
public sealed interface FinalAnswer {

    /**
     * What the failover saw besides attempts.
     *
     * @param candidates       upstreams that could serve the request
     * @param skipped          candidates skipped because none of their credentials was usable
     * @param earliestRecovery when the earliest credential recovers, if candidates were passed over as all cooling
     * @param deadlinePassed   the request deadline ended the failover
     */
    record Facts(int candidates, int skipped, Optional<Instant> earliestRecovery, boolean deadlinePassed) {
        public Facts {
            Objects.requireNonNull(earliestRecovery, "earliestRecovery");
        }
    }

    /**
     * Every credential is cooling: 503 with Retry-After until {@code until}.
     *
     * @param until when the earliest credential recovers
     */
    record AllCooling(Instant until) implements FinalAnswer {
    }

    /** Every candidate was skipped for lack of a usable credential. */
    record NoUsableCredential() implements FinalAnswer {
    }

    /**
     * The last upstream answer refused the gateway's own credential: named by upstream, never shown as a 401.
     *
     * @param upstreamId the upstream that refused it
     * @param status     the status it refused with (401 to 403)
     */
    record CredentialRejected(String upstreamId, int status) implements FinalAnswer {
    }

    /**
     * The last upstream answer kept, delivered verbatim: the record of attempt {@code attempt}.
     *
     * @param attempt the number of the attempt whose answer is delivered
     */
    record Remembered(int attempt) implements FinalAnswer {
    }

    /** Attempts timed out, or the deadline passed. */
    record TimedOut() implements FinalAnswer {
    }

    /**
     * Attempts failed below HTTP or produced nothing deliverable.
     *
     * @param lastReason the reason of the last failed attempt, if one failed
     */
    record Unavailable(Optional<RetryReason> lastReason) implements FinalAnswer {
    }

    /**
     * Ranks the answer from {@code attempts}, every record of which reached an upstream, in completion order.
     *
     * @param attempts the request's attempt records, in completion order
     * @param facts    what happened besides attempts
     * @return the answer the client gets
     */
    static FinalAnswer rank(List<AttemptRecord> attempts, Facts facts) {
        if (attempts.isEmpty() && !facts.deadlinePassed()) {
            if (facts.earliestRecovery().isPresent()) {
                return new AllCooling(facts.earliestRecovery().get());
            }
            if (facts.skipped() == facts.candidates()) {
                return new NoUsableCredential();
            }
        }
        var lastAnswered = attempts.reversed().stream().filter(AttemptRecord::answered).findFirst();
        if (lastAnswered.isPresent()) {
            var kept = lastAnswered.get();
            if (refusedCredential(kept)) {
                return new CredentialRejected(kept.upstreamId().orElse("?"), kept.status());
            }
            return new Remembered(kept.attempt());
        }
        // A timeout outranks a transport error wherever in the trail it happened.
        boolean timedOut = attempts.stream().flatMap(r -> r.retryReason().stream()).anyMatch(RetryReason::isTimeout);
        if (facts.deadlinePassed() || timedOut) {
            return new TimedOut();
        }
        return new Unavailable(attempts.reversed().stream().flatMap(r -> r.retryReason().stream()).findFirst());
    }

    private static boolean refusedCredential(AttemptRecord kept) {
        return kept.retryReason().filter(reason -> reason == RetryReason.CREDENTIAL_REJECTED).isPresent()
                && kept.status() >= 401 && kept.status() <= 403;
    }
}
