package dev.tokenproxy.adapter.out.upstream.sse;

import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.stream.FrameSource;
import dev.tokenproxy.adapter.out.upstream.stream.MalformedFrameException;
import java.util.List;

/** The events of a {@code text/event-stream} response body, as the bytes complete them. */
public final class SseFrameSource implements FrameSource<SseItem> {

    /**
     * A stream reads about once per event, and this array lives as long as the stream: about a typical event (a few
     * hundred bytes). The connection's own 2 KiB buffer takes what the socket delivers and hands it on in pieces of
     * this size, so a longer event or several at once take a few copies within memory, not more socket reads; the
     * 1.5 KiB saved is ~4% of what an open stream keeps (docs/benchmark.md, eleventh pass).
     */
    private static final int READ_BUFFER_BYTES = 512;

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
