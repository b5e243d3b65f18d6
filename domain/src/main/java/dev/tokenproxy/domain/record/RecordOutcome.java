package dev.tokenproxy.domain.record;

/** What one record says happened, in the words the admin API shows. */
public enum RecordOutcome {
    /** A 2xx answer from the upstream, delivered whole. */
    SUCCESS,
    /** The upstream's own non-2xx answer (a rejection no other upstream would accept, or one kept for the end). */
    REJECTED,
    /** The attempt failed in a way another try may fix; the reason says how. */
    RETRYABLE,
    /** A delivered stream broke after its first output; the client got a terminal error event. */
    STREAM_BROKEN,
    /** The client went away before the answer was complete (recorded as status 499). */
    CLIENT_CANCELLED,
    /** No upstream answer could be delivered after trying: the gateway answered with its own error. */
    GATEWAY_ERROR,
    /** Refused before any upstream was tried (local key, body size, malformed body, unknown model, no upstream). */
    REFUSED;

    /** The name the admin API and the record store use: {@code gateway_error}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
