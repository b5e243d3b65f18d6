package dev.tokenproxy.domain.attempt;

import java.util.Objects;
import java.util.Optional;

/**
 * The classified result of one attempt, decided after the proxy post-processed the response
 * (format conversion, emptiness check, stream pre-read), never from the raw status alone.
 *
 * @param <R> the deliverable response; opaque to the domain, which only needs its status
 */
public sealed interface AttemptOutcome<R> {

    /**
     * The upstream answered with something deliverable; {@code status} may be a non-retryable 4xx.
     *
     * @param status   the status the client gets
     * @param response what the client gets
     * @param usage the tokens a whole answer reported; {@link TokenUsage#NONE} for a stream, which reports its usage
     *              when it ends, and for an answer that reported none
     */
    record Success<R>(int status, R response, TokenUsage usage) implements AttemptOutcome<R> {
        public Success {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(usage, "usage");
        }

        /** A success that reported no token usage (yet). */
        public Success(int status, R response) {
            this(status, response, TokenUsage.NONE);
        }

        /** The same success, with the usage the answer {@code reported}. */
        public Success<R> withUsage(TokenUsage reported) {
            return new Success<>(status, response, reported);
        }

        /** Whether this is a 2xx answer, which ends the failover; a non-2xx one may still be replaced by a better one. */
        public boolean is2xx() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * This attempt failed in a way another try may fix.
     *
     * @param reason   why it failed; {@link dev.tokenproxy.domain.failover.FailoverPolicy} decides from it what to try next
     * @param status   the upstream status, or 0 when no HTTP response arrived (transport failure, timeout)
     * @param response what the upstream sent, kept so the final answer can be that response verbatim; may be null
     * @param cooldown how the credential that made this attempt should cool down
     */
    record Retryable<R>(RetryReason reason, int status, R response, CooldownRule cooldown)
            implements AttemptOutcome<R> {
        public Retryable {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(cooldown, "cooldown");
        }

        /** What the upstream sent, if anything: {@code response} without the null. */
        public Optional<R> upstreamResponse() {
            return Optional.ofNullable(response);
        }
    }

    /**
     * No other account or upstream can help (e.g. context length exceeded): deliver this and stop.
     *
     * @param status   the status the client gets
     * @param response what the client gets
     */
    record Fatal<R>(int status, R response) implements AttemptOutcome<R> {
        public Fatal {
            Objects.requireNonNull(response, "response");
        }
    }

    /**
     * No usable credential for this attempt; nothing was sent upstream.
     *
     * @param why for the operator: what made every credential unusable
     */
    record SkippedAuth<R>(String why) implements AttemptOutcome<R> {
        public SkippedAuth {
            Objects.requireNonNull(why, "why");
        }
    }
}
