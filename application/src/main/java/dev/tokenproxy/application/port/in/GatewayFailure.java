package dev.tokenproxy.application.port.in;

/** Why nothing was delivered (behaviour §4.5), in the order the rules are checked. */
public enum GatewayFailure {
    /** No enabled upstream serves the inbound format. */
    NO_UPSTREAM(502),
    /** Upstreams serve the format, but none admits the requested model. */
    MODEL_NOT_SUPPORTED(404),
    /** Every candidate was skipped for lack of a usable credential. */
    NO_CONFIGURED_CREDENTIAL(502),
    /** Every credential of every candidate is cooling; retry after the earliest recovery. */
    ALL_COOLING(503),
    /**
     * The last word was an upstream refusing the gateway's own credential (401, 402, 403 of its key or account):
     * never shown as the client's auth failure, which would send the user after their local key.
     */
    UPSTREAM_CREDENTIAL_REJECTED(502),
    /** Attempts timed out, or the request deadline passed. */
    TIMEOUT(504),
    /** Attempts failed below HTTP (refused, reset, TLS) or produced nothing deliverable. */
    UPSTREAM_UNAVAILABLE(502);

    private final int status;

    GatewayFailure(int status) {
        this.status = status;
    }

    /** The HTTP status behaviour §4.5 gives this failure. */
    public int status() {
        return status;
    }
}
