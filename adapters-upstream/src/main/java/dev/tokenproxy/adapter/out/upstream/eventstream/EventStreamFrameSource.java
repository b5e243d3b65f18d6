package dev.tokenproxy.adapter.out.upstream.eventstream;

import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.stream.FrameSource;
import dev.tokenproxy.adapter.out.upstream.stream.MalformedFrameException;
import java.util.List;

/**
 * The messages of an {@code application/vnd.amazon.eventstream} response body, as the bytes complete them. A body
 * that ends inside a frame is malformed rather than merely ended: the stream was cut, and the gate must not treat
 * what came before as the whole answer.
 */
public final class EventStreamFrameSource implements FrameSource<EventStreamMessage> {

    /**
     * A stream reads about once per event, and this array lives as long as the stream: a little more than a typical
     * event (a few hundred bytes), not 8 KiB; longer events take a few reads. With nothing buffered on the connection,
     * a read of this size goes from the socket straight into the array.
     */
    private static final int READ_BUFFER_BYTES = 2 * 1024;

    private final UpstreamExchange exchange;
    private final EventStreamParser parser = new EventStreamParser();
    private final byte[] buffer = new byte[READ_BUFFER_BYTES];

    public EventStreamFrameSource(UpstreamExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public List<EventStreamMessage> next() throws TransportFailure, MalformedFrameException {
        while (true) {
            int count = exchange.read(buffer);
            if (count < 0) {
                if (parser.insideFrame()) {
                    throw new MalformedFrameException("the body ended inside an event-stream frame", null);
                }
                return null;
            }
            List<EventStreamMessage> messages = parser.feed(buffer, 0, count);
            if (!messages.isEmpty()) {
                return messages;
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
