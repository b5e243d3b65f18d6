package dev.tokenproxy.domain.classify;

/**
 * What went wrong below or beside the HTTP status: transport failures and the findings of post-processing.
 * {@link #NONE} means a complete HTTP response arrived and post-processing found nothing wrong.
 */
public enum Fault {
    /** A complete HTTP response arrived and post-processing found nothing wrong. */
    NONE,
    /** The TCP connection was refused or the host unreachable. */
    CONNECT_REFUSED,
    /** The upstream's host name did not resolve. */
    UNKNOWN_HOST,
    /** The TCP connection was not established within the connect timeout. */
    CONNECT_TIMEOUT,
    /** The connection was reset or closed before a complete response. */
    CONNECTION_RESET,
    /** The TLS handshake failed. */
    TLS_FAILURE,
    /** No first byte (buffered) or no first output (stream) within the first-output timeout. */
    FIRST_OUTPUT_TIMEOUT,
    /** Silence between chunks longer than the idle timeout, before output was committed. */
    IDLE_TIMEOUT,
    /** An error event, a malformed event or an early end before the first output. */
    STREAM_BROKEN_BEFORE_OUTPUT,
    /** A 2xx that carries no content, reasoning, tool call, refusal or audio. */
    EMPTY_COMPLETION,
    /** The response broke HTTP itself, e.g. a status code outside 100–599. */
    PROTOCOL_VIOLATION,
    /** The response body is larger than the gateway buffers ({@code limits.max_upstream_body_bytes}). */
    RESPONSE_TOO_LARGE,
    /**
     * The gateway itself had no memory budget left to buffer the response: not the upstream's fault, and no other
     * upstream would fare better right now.
     */
    GATEWAY_OVERLOADED
}
