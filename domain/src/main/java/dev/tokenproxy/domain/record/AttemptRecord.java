package dev.tokenproxy.domain.record;

import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the gateway keeps about one attempt of one client request (behaviour §7), or about the gateway's own answer
 * to it. Labels only: a credential is named by its key, never by its secret. Of the records of one client request
 * exactly one is {@code billable}: the one whose answer the client got, when that answer came from an upstream or
 * from the gateway after trying upstreams; a request refused before any upstream was tried has none.
 *
 * @param requestId    the client request this record belongs to
 * @param attempt      1, 2, ... in completion order; 0 for an answer the gateway gave without trying an upstream
 * @param at           when the attempt started
 * @param format       the API the client spoke
 * @param requestedModel the model the client asked for
 * @param servedModel  the model name sent upstream (after mapping)
 * @param credential   the upstream and credential label the attempt used
 * @param status       the HTTP status of the attempt (0: no HTTP answer), or of the client's answer for the billable
 *                     record (499 when the client left)
 * @param outcome      what happened, in the admin API's words
 * @param retryReason  why a retryable attempt failed
 * @param detail       what else explains the record: the gateway's error code ({@code request_too_large}), what
 *                     broke a stream
 * @param answered     the upstream sent a whole HTTP answer the gateway kept, one that can be delivered verbatim
 * @param firstOutput  from the start of the attempt to its first output (a stream's commit, a whole body)
 * @param total        from the start of the attempt to its end (a stream's last chunk)
 * @param usage        the tokens the answer reported
 * @param billable     whether the client's answer is billed by this record
 */
public record AttemptRecord(String requestId, int attempt, Instant at, InboundFormat format, String requestedModel,
                            Optional<String> servedModel, Optional<CredentialKey> credential, int status,
                            RecordOutcome outcome, Optional<RetryReason> retryReason, Optional<String> detail,
                            boolean answered,
                            Optional<Duration> firstOutput, Duration total, TokenUsage usage, boolean billable) {

    public AttemptRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(requestedModel, "requestedModel");
        Objects.requireNonNull(servedModel, "servedModel");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(retryReason, "retryReason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(firstOutput, "firstOutput");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(usage, "usage");
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0");
        }
    }

    /** This record as the one the client's answer is billed by. */
    public AttemptRecord asBillable() {
        return new AttemptRecord(requestId, attempt, at, format, requestedModel, servedModel, credential, status,
                outcome, retryReason, detail, answered, firstOutput, total, usage, true);
    }

    /** A delivered stream's record once the stream ended: how it ended, when, and what it cost. */
    public AttemptRecord endedAs(int finalStatus, RecordOutcome finalOutcome, Optional<String> why, Duration ran,
                                 TokenUsage reported) {
        return new AttemptRecord(requestId, attempt, at, format, requestedModel, servedModel, credential, finalStatus,
                finalOutcome, retryReason, why, answered, firstOutput, ran, reported, billable);
    }

    /** Why it failed or was refused, in words: the retry reason, else the detail. */
    public Optional<String> reason() {
        return retryReason.map(RetryReason::describe).or(() -> detail);
    }

    /** The upstream the attempt went to, if it went to one. */
    public Optional<String> upstreamId() {
        return credential.map(CredentialKey::upstreamId);
    }
}
