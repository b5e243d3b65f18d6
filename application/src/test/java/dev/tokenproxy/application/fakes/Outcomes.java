package dev.tokenproxy.application.fakes;

import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** Outcomes as an upstream adapter would classify them, with buffered replies whose body is readable text. */
public final class Outcomes {

    private Outcomes() {
    }

    public static UpstreamReply.Buffered reply(int status, String body) {
        return new UpstreamReply.Buffered(status, Map.of("content-type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    public static String bodyOf(UpstreamReply reply) {
        return new String(((UpstreamReply.Buffered) reply).body(), StandardCharsets.UTF_8);
    }

    public static AttemptOutcome<UpstreamReply> ok(String body) {
        return new AttemptOutcome.Success<>(200, reply(200, body));
    }

    /** A deliverable non-2xx, e.g. a 404 "model not found" of one key. */
    public static AttemptOutcome<UpstreamReply> deliverable(int status, String body) {
        return new AttemptOutcome.Success<>(status, reply(status, body));
    }

    /** A 5xx without Retry-After: transient, may be resent in place. */
    public static AttemptOutcome<UpstreamReply> serverError(int status, String body) {
        return new AttemptOutcome.Retryable<>(RetryReason.SERVER_ERROR, status, reply(status, body),
                CooldownRule.TRANSIENT);
    }

    /** A 5xx that carried Retry-After. */
    public static AttemptOutcome<UpstreamReply> serverErrorRetryAfter(int status, Duration wait, String body) {
        return new AttemptOutcome.Retryable<>(RetryReason.SERVER_ERROR, status, reply(status, body),
                CooldownRule.hinted(wait));
    }

    /** A 429 that said how long to wait. */
    public static AttemptOutcome<UpstreamReply> rateLimited(Duration wait, String body) {
        return new AttemptOutcome.Retryable<>(RetryReason.RATE_LIMITED, 429, reply(429, body),
                CooldownRule.hinted(wait));
    }

    /** 401/402/403 of a credential. */
    public static AttemptOutcome<UpstreamReply> credentialRejected(int status, String body) {
        return new AttemptOutcome.Retryable<>(RetryReason.CREDENTIAL_REJECTED, status, reply(status, body),
                CooldownRule.CREDENTIAL);
    }

    /** A 2xx that post-processing found empty: retryable as a 502, never cooling. */
    public static AttemptOutcome<UpstreamReply> emptyCompletion() {
        return new AttemptOutcome.Retryable<>(RetryReason.EMPTY_COMPLETION, 502, null, CooldownRule.NONE);
    }

    public static AttemptOutcome<UpstreamReply> connectRefused() {
        return new AttemptOutcome.Retryable<>(RetryReason.CONNECT_FAILED, 0, null, CooldownRule.TRANSIENT);
    }

    public static AttemptOutcome<UpstreamReply> timedOut() {
        return new AttemptOutcome.Retryable<>(RetryReason.TIMED_OUT, 0, null, CooldownRule.TRANSIENT);
    }

    public static AttemptOutcome<UpstreamReply> fatal(int status, String body) {
        return new AttemptOutcome.Fatal<>(status, reply(status, body));
    }

    public static AttemptOutcome<UpstreamReply> skippedAuth() {
        return new AttemptOutcome.SkippedAuth<>("no token and refresh impossible");
    }
}
