package dev.tokenproxy.adapter.out.upstream.stream;

/** The body cannot be frames of the transport's framing (e.g. an SSE line longer than any sane event). */
public final class MalformedFrameException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
