package dev.tokenproxy.adapter.out.upstream.mock;

import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.sse.SseFormatException;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.sse.SseParser;
import dev.tokenproxy.adapter.out.upstream.stream.FrameSource;
import dev.tokenproxy.adapter.out.upstream.stream.MalformedFrameException;
import dev.tokenproxy.domain.classify.Fault;
import java.time.Duration;
import java.util.List;

/**
 * A mock upstream's stream as the {@link dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate} reads it: its
 * wire bytes go through the same SSE parser as a real body, one frame per read, with the script's pause before the
 * first output and its break where the script cuts the stream.
 */
final class ScriptedFrameSource implements FrameSource<SseItem> {

    /** No cut: the stream runs to its end. */
    static final int NO_CUT = Integer.MAX_VALUE;

    private final MockEvents events;
    private final FirstOutputWait wait;
    private final Duration pause;
    private final int cutBefore;
    private final SseParser parser = new SseParser();
    private int next;

    /**
     * @param pause     how long the first output takes to come (zero: at once)
     * @param cutBefore the index of the frame the connection breaks before, or {@link #NO_CUT}
     */
    ScriptedFrameSource(MockEvents events, FirstOutputWait wait, Duration pause, int cutBefore) {
        this.events = events;
        this.wait = wait;
        this.pause = pause;
        this.cutBefore = cutBefore;
    }

    @Override
    public List<SseItem> next() throws TransportFailure, MalformedFrameException {
        if (wait.isAborted() || next == cutBefore) {
            throw new TransportFailure(Fault.CONNECTION_RESET, null);
        }
        if (next == events.firstOutput() && !pause.isZero()) {
            wait.await(pause);
        }
        if (next >= events.frames().size()) {
            return null;
        }
        byte[] frame = events.frames().get(next++);
        try {
            return parser.feed(frame, 0, frame.length);
        } catch (SseFormatException e) {
            throw new MalformedFrameException("the mock wrote a frame that is not an event", e);
        }
    }

    @Override
    public void outputStarted() {
        // The first-output limit is only checked while waiting for the first output: nothing to stop.
    }

    @Override
    public void finish() {
        // Nothing left to read and no connection to give back.
    }

    @Override
    public void abort() {
        wait.abort();
    }
}
