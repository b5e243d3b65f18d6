package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.ForwardSummary;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.cooldown.WaitSeconds;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.FinalAnswer;
import dev.tokenproxy.domain.record.RecordOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one request's failover went through: its attempt records in completion order, and the few facts besides
 * attempts that the final answer of behaviour §4.5 depends on ({@link FinalAnswer} ranks it). It hands the request's
 * records to the {@link RecordSink} once the answer is known, with exactly one billable: the record of what the
 * client got. Not thread-safe: one per request (a delivered stream's end arrives on the thread that pumps it).
 */
final class FailoverTrail {

    private final ForwardRequestCommand command;
    private final Clock clock;
    private final RecordSink sink;
    private final List<AttemptRecord> records = new ArrayList<>();
    /** Upstream answers kept for the final answer, by attempt number. */
    private final Map<Integer, UpstreamReply> kept = new HashMap<>();
    private int candidates;
    private int skipped;
    private Instant earliestRecovery;
    private boolean deadlinePassed;

    FailoverTrail(ForwardRequestCommand command, Clock clock, RecordSink sink) {
        this.command = command;
        this.clock = clock;
        this.sink = sink;
    }

    void candidates(int count) {
        candidates = count;
    }

    /** Records an attempt that started at {@code started}; one that sent nothing is not an attempt (§4.3). */
    void attempted(Candidate candidate, CredentialKey credential, AttemptOutcome<UpstreamReply> outcome,
                   Instant started) {
        if (outcome instanceof AttemptOutcome.SkippedAuth<UpstreamReply>
                || outcome instanceof AttemptOutcome.Retryable<UpstreamReply> r && r.reason() == RetryReason.REFRESH_FAILED) {
            return;
        }
        int attempt = records.size() + 1;
        Duration took = Duration.between(started, clock.instant());
        var status = 0;
        var kind = RecordOutcome.RETRYABLE;
        Optional<RetryReason> reason = Optional.empty();
        UpstreamReply reply = null;
        TokenUsage usage = TokenUsage.NONE;
        switch (outcome) {
            case AttemptOutcome.Success<UpstreamReply> s -> {
                status = s.status();
                kind = s.is2xx() ? RecordOutcome.SUCCESS : RecordOutcome.REJECTED;
                reply = s.response();
                usage = s.usage();
            }
            case AttemptOutcome.Fatal<UpstreamReply> f -> {
                status = f.status();
                kind = RecordOutcome.REJECTED;
                reply = f.response();
            }
            case AttemptOutcome.Retryable<UpstreamReply> r -> {
                status = r.status();
                reason = Optional.of(r.reason());
                reply = r.response();
            }
            case AttemptOutcome.SkippedAuth<UpstreamReply> s -> throw new IllegalStateException("not an attempt");
        }
        if (reply != null) {
            kept.put(attempt, reply);
        }
        records.add(new AttemptRecord(command.requestId(), attempt, started, command.format(), command.model(),
                Optional.of(candidate.upstreamModel()), Optional.of(credential), status, kind, reason, Optional.empty(),
                reply != null, Optional.of(took), took, usage, false));
    }

    int attempts() {
        return records.size();
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

    /** The last attempt's answer is delivered whole: it is the billable record. */
    void deliveredWhole() {
        records.set(records.size() - 1, records.getLast().asBillable());
        sink.accept(List.copyOf(records));
    }

    /** The last attempt's stream has ended: its record now says how, and what it cost, and is the billable one. */
    void streamEnded(StreamEnd end) {
        var delivered = records.getLast();
        Duration ran = Duration.between(delivered.at(), clock.instant());
        var ended = switch (end) {
            case StreamEnd.Completed c -> delivered.endedAs(delivered.status(), RecordOutcome.SUCCESS,
                    Optional.empty(), ran, c.usage());
            case StreamEnd.Interrupted i -> delivered.endedAs(delivered.status(), RecordOutcome.STREAM_BROKEN,
                    Optional.of(i.signal().fault().name().toLowerCase(java.util.Locale.ROOT)), ran, i.usage());
            // 499: nginx's "client closed request", which operators know from their access logs.
            case StreamEnd.ClientCancelled c -> delivered.endedAs(499, RecordOutcome.CLIENT_CANCELLED,
                    Optional.of("client closed the connection"), ran, c.usage());
        };
        records.set(records.size() - 1, ended.asBillable());
        sink.accept(List.copyOf(records));
    }

    /** The gateway answers without having tried an upstream (no upstream, model not supported): not billable. */
    ForwardResult refused(GatewayFailure failure, String message) {
        var result = new ForwardResult.Failed(failure, message, Optional.empty(), summary());
        sink.accept(List.of(gatewayRecord(0, failure, false)));
        return result;
    }

    /** The answer when no attempt was delivered, as {@link FinalAnswer} ranks it, with the request's records. */
    ForwardResult finalResult() {
        Instant now = clock.instant();
        var facts = new FinalAnswer.Facts(candidates, skipped, Optional.ofNullable(earliestRecovery), deadlinePassed);
        var result = switch (FinalAnswer.rank(records, facts)) {
            case FinalAnswer.AllCooling cooling -> {
                Duration wait = Duration.between(now, cooling.until());
                yield failed(GatewayFailure.ALL_COOLING,
                        "every upstream credential for this model is cooling down; retry later",
                        Optional.of(Duration.ofSeconds(WaitSeconds.roundedUp(wait.isNegative() ? Duration.ZERO : wait))));
            }
            case FinalAnswer.NoUsableCredential none -> failed(GatewayFailure.NO_CONFIGURED_CREDENTIAL,
                    "no upstream serving this model has a usable credential", Optional.empty());
            // Behaviour §4.5: the upstream refused *our* key or account; shown as the client's 401 the user would go
            // and check their local key. Named by upstream, never by the key.
            case FinalAnswer.CredentialRejected refused -> failed(GatewayFailure.UPSTREAM_CREDENTIAL_REJECTED,
                    "upstream '" + refused.upstreamId() + "' rejected the credential the gateway holds for it (HTTP "
                    + refused.status() + "); check the API key or account configured for that upstream",
                    Optional.empty());
            case FinalAnswer.Remembered remembered -> {
                int index = remembered.attempt() - 1;
                records.set(index, records.get(index).asBillable());
                sink.accept(List.copyOf(records));
                yield new ForwardResult.Delivered(kept.get(remembered.attempt()), summary());
            }
            case FinalAnswer.TimedOut timedOut -> failed(GatewayFailure.TIMEOUT,
                    "the upstreams did not answer in time", Optional.empty());
            case FinalAnswer.Unavailable unavailable -> failed(GatewayFailure.UPSTREAM_UNAVAILABLE,
                    "no upstream could serve the request (" + unavailable.lastReason()
                            .map(reason -> "last failure: " + reason.describe()).orElse("no attempt was made") + ")",
                    Optional.empty());
        };
        return result;
    }

    private ForwardResult failed(GatewayFailure failure, String message, Optional<Duration> retryAfter) {
        // After attempts the gateway's own answer is what the client got: that record is the billable one.
        var all = new ArrayList<>(records);
        all.add(gatewayRecord(records.isEmpty() ? 0 : records.size() + 1, failure, !records.isEmpty()));
        sink.accept(all);
        return new ForwardResult.Failed(failure, message, retryAfter, summary());
    }

    private AttemptRecord gatewayRecord(int attempt, GatewayFailure failure, boolean billable) {
        Instant now = clock.instant();
        var outcome = attempt == 0 ? RecordOutcome.REFUSED : RecordOutcome.GATEWAY_ERROR;
        return new AttemptRecord(command.requestId(), attempt, now, command.format(), command.model(),
                Optional.empty(), Optional.empty(), failure.status(), outcome, Optional.empty(),
                Optional.of(failure.name().toLowerCase(java.util.Locale.ROOT)), false, Optional.empty(),
                Duration.ZERO, TokenUsage.NONE, billable);
    }

    /** The summary of a request whose answer no upstream served (a remembered reply is not "served"). */
    ForwardSummary summary() {
        return new ForwardSummary(records.size(), Optional.empty(), Optional.empty());
    }
}
