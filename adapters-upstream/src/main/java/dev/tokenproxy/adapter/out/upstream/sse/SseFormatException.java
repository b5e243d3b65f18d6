package dev.tokenproxy.adapter.out.upstream.sse;

/** The byte stream cannot be an event stream (a line longer than any sane event). */
public final class SseFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public SseFormatException(String message) {
        super(message);
    }
}
