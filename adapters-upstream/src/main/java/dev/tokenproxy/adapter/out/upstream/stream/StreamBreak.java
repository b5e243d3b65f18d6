package dev.tokenproxy.adapter.out.upstream.stream;

/** Why a committed stream ends early; the dialect writes the terminal error of its inbound format for it. */
public enum StreamBreak {
    /** The upstream reported an error inside the stream. */
    ERROR_EVENT,
    /** The upstream sent an event that cannot be read. */
    MALFORMED,
    /** The upstream went silent past the idle limit or the deadline. */
    TIMED_OUT,
    /** The connection ended or broke before the response was complete. */
    BROKEN
}
