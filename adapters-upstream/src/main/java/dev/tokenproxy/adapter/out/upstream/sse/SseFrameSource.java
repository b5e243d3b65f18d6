package dev.tokenproxy.adapter.out.upstream.sse;

import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.stream.FrameSource;
import dev.tokenproxy.adapter.out.upstream.stream.MalformedFrameException;
import java.util.List;

/** The events of a {@code text/event-stream} response body, as the bytes complete them. */
public final class SseFrameSource implements FrameSource<SseItem> {

    /**
     * A stream reads about once per event, and this array lives as long as the stream: a little more than a typical
     * event (a few hundred bytes), not 8 KiB; longer events take a few reads. With nothing buffered on the connection,
     * a read of this size goes from the socket straight into the array.
     */
    private static final int READ_BUFFER_BYTES = 2 * 1024;

    private final UpstreamExchange exchange;
    private final SseParser parser = new SseParser();
    private final byte[] buffer = new byte[READ_BUFFER_BYTES];

    public SseFrameSource(UpstreamExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public List<SseItem> next() throws TransportFailure, MalformedFrameException {
        while (true) {
            int count = exchange.read(buffer);
            if (count < 0) {
                return null;
            }
            try {
                List<SseItem> items = parser.feed(buffer, 0, count);
                if (!items.isEmpty()) {
                    return items;
                }
            } catch (SseFormatException e) {
                throw new MalformedFrameException("the body is not an event stream", e);
            }
        }
    }

    @Override
    public void outputStarted() {
        exchange.outputStarted();
    }

    @Override
    public void finish() {
        exchange.finish();
    }

    @Override
    public void abort() {
        exchange.abort();
    }
}
