package dev.tokenproxy.domain.attempt;

/**
 * Why an attempt was {@link AttemptOutcome.Retryable}. What each reason means for the next step (resend in place,
 * refresh, next credential) is decided in one place, {@link dev.tokenproxy.domain.failover.FailoverPolicy}.
 */
public enum RetryReason {
    /** 429: the upstream asked us to slow down; fail over rather than wait inside a request. */
    RATE_LIMITED,
    /** 5xx / 529: the upstream itself failed. */
    SERVER_ERROR,
    /** 408 from the upstream. */
    UPSTREAM_REQUEST_TIMEOUT,
    /** 401/402/403, or a quota/billing rejection: this credential is unusable for a while. */
    CREDENTIAL_REJECTED,
    /**
     * The provider suspended the account itself (Kiro's {@code TEMPORARILY_SUSPENDED}): only a person can lift it, so
     * the account is disabled in the store rather than retried.
     */
    ACCOUNT_SUSPENDED,
    /** An account's token could not be refreshed right now (its endpoint failed); nothing was sent upstream. */
    REFRESH_FAILED,
    /** TCP connect refused or unreachable host. */
    CONNECT_FAILED,
    /** The upstream's host name does not resolve: a typo or a DNS outage, neither cured by resending at once. */
    UNKNOWN_HOST,
    /** The connection was reset or closed before a complete response. */
    CONNECTION_RESET,
    /** TLS handshake failed (bad certificate, protocol mismatch). */
    TLS_FAILED,
    /** Connect, first-output or idle timeout: the upstream went silent. */
    TIMED_OUT,
    /** A stream broke (error event, malformed event, early end) before any output reached the client. */
    STREAM_FAILED_BEFORE_OUTPUT,
    /**
     * A stream broke after its output reached the client: never replayed, but it counts against the credential like
     * any transient failure.
     */
    STREAM_BROKEN_AFTER_OUTPUT,
    /** The response broke HTTP or was larger than the gateway buffers: resending to the same upstream won't help. */
    BAD_RESPONSE,
    /** A 2xx whose post-processing found no content at all. */
    EMPTY_COMPLETION,
    /** A deliverable non-2xx that ended a credential pool; kept as retryable so the next upstream is tried. */
    UPSTREAM_REJECTED;

    /** The reason in words, for log lines and error messages: {@code connect failed}. */
    public String describe() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** Whether the final error for this reason is a gateway timeout (504) rather than a bad gateway (502). */
    public boolean isTimeout() {
        return switch (this) {
            case UPSTREAM_REQUEST_TIMEOUT, TIMED_OUT -> true;
            default -> false;
        };
    }
}
