package dev.tokenproxy.domain.attempt;

/**
 * Why an attempt was {@link AttemptOutcome.Retryable}. Each reason knows whether resending at once to the
 * same upstream with the same credential can help (behaviour §4.3): only transient failures without a
 * wait hint qualify; a rate limit, a rejected credential or a silent upstream never do.
 */
public enum RetryReason {
    /** 429: the upstream asked us to slow down; fail over rather than wait inside a request. */
    RATE_LIMITED(false, false),
    /** 5xx / 529: the upstream itself failed. */
    SERVER_ERROR(true, false),
    /** 408 from the upstream. */
    UPSTREAM_REQUEST_TIMEOUT(false, true),
    /** 401/402/403, or a quota/billing rejection: this credential is unusable for a while. */
    CREDENTIAL_REJECTED(false, false),
    /** TCP connect refused or unreachable host. */
    CONNECT_FAILED(true, false),
    /** The connection was reset or closed before a complete response. */
    CONNECTION_RESET(true, false),
    /** TLS handshake failed (bad certificate, protocol mismatch). */
    TLS_FAILED(false, false),
    /** Connect, first-output or idle timeout: the upstream went silent. */
    TIMED_OUT(false, true),
    /** A stream broke (error event, malformed event, early end) before any output reached the client. */
    STREAM_FAILED_BEFORE_OUTPUT(true, false),
    /** The response broke HTTP or was larger than the gateway buffers: resending to the same upstream won't help. */
    BAD_RESPONSE(false, false),
    /** A 2xx whose post-processing found no content at all. */
    EMPTY_COMPLETION(false, false),
    /** A deliverable non-2xx that ended a credential pool; kept as retryable so the next upstream is tried. */
    UPSTREAM_REJECTED(false, false);

    private final boolean transientInPlace;
    private final boolean timeout;

    RetryReason(boolean transientInPlace, boolean timeout) {
        this.transientInPlace = transientInPlace;
        this.timeout = timeout;
    }

    /** Whether a resend to the same upstream and credential may help, absent any wait hint. */
    public boolean allowsInPlaceRetry() {
        return transientInPlace;
    }

    /** Whether the final error for this reason is a gateway timeout (504) rather than a bad gateway (502). */
    public boolean isTimeout() {
        return timeout;
    }
}
