package dev.tokenproxy.adapter.out.upstream.stream;

import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import java.util.List;

/**
 * The frames of one upstream response body, in the framing of its transport: SSE events today, binary event-stream
 * messages later. The {@link PreOutputGate} pulls from it on the thread that owns the exchange.
 *
 * @param <F> one frame of this framing
 */
public interface FrameSource<F> {

    /**
     * Blocks until the next bytes complete at least one frame.
     *
     * @return the frames completed, never empty; null at the end of the body
     * @throws TransportFailure      the connection broke or a time limit passed
     * @throws MalformedFrameException the bytes cannot be frames of this framing
     */
    List<F> next() throws TransportFailure, MalformedFrameException;

    /** The stream is committed: from now on only the idle limit and the deadline apply. */
    void outputStarted();

    /** The stream ended as its format says it should: read what little is left so the connection can be reused. */
    void finish();

    /** Stops now, from any thread: a blocked {@link #next()} fails at once. Idempotent. */
    void abort();
}
