package dev.tokenproxy.adapter.out.upstream.openai;

import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.sse.SseFormatException;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.sse.SseParser;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.classify.Fault;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A chat completion stream from a 2xx response. {@link #open()} reads up to the first real output while holding
 * back everything before it (behaviour §6), so a stream that fails early stays invisible and can be retried; from
 * then on the stream is a {@link ReplyStream} that hands out one event per {@link #next()} as it arrives, and ends
 * every failure with an error event and {@code [DONE]}, never with what looks like a complete answer.
 */
final class ChatEventStream implements ReplyStream {

    /** Held-back budgets of behaviour §6: past them the stream is committed even without output. */
    static final int HOLD_BACK_MAX_EVENTS = 128;
    static final long HOLD_BACK_MAX_BYTES = 1024 * 1024;

    static final byte[] DONE = SseFrames.data("[DONE]");

    /** How {@link #open()} ended. */
    sealed interface Opening {
        /** Output (or a deliverable end) arrived: the stream is the reply. */
        record Committed(ChatEventStream stream) implements Opening { }

        /**
         * Nothing deliverable: the attempt failed before output.
         *
         * @param status 0 when the transport failed, 502 when what arrived was rejected
         */
        record Failed(Fault fault, int status) implements Opening { }
    }

    private enum Interruption {
        ERROR_EVENT("The upstream reported an error before completing the response."),
        MALFORMED("The upstream sent a malformed stream event."),
        TIMED_OUT("The upstream went silent before completing the response."),
        BROKEN("The upstream connection ended before the response was complete.");

        private final byte[] frame;

        Interruption(String message) {
            frame = SseFrames.data("{\"error\":{\"message\":\"" + message
                    + "\",\"type\":\"upstream_error\",\"code\":\"stream_interrupted\"}}");
        }
    }

    private final UpstreamExchange exchange;
    /** The client's model name to put in every chunk, or null to forward chunks verbatim. */
    private final String echoModel;
    private final SseParser parser = new SseParser();
    private final byte[] buffer = new byte[8 * 1024];
    private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean ended;
    private volatile boolean endedWithDone;
    private boolean finished;
    private String finishReason;

    ChatEventStream(UpstreamExchange exchange, String echoModel) {
        this.exchange = exchange;
        this.echoModel = echoModel;
    }

    /** Reads until the first output; on failure the connection is closed and nothing is delivered. */
    Opening open() {
        List<byte[]> held = new ArrayList<>();
        long heldBytes = 0;
        while (true) {
            List<SseItem> items;
            try {
                items = readItems();
            } catch (TransportFailure failure) {
                return failed(failure.fault() == Fault.CONNECTION_RESET ? Fault.STREAM_BROKEN_BEFORE_OUTPUT
                        : failure.fault(), 0);
            } catch (SseFormatException malformed) {
                return failed(Fault.STREAM_BROKEN_BEFORE_OUTPUT, 502);
            }
            if (items == null) {
                return endedBeforeOutput(held, false);
            }
            for (int i = 0; i < items.size(); i++) {
                if (!(items.get(i) instanceof SseItem.Event event)) {
                    // A keep-alive before output has nothing to deliver; it only kept the idle timer quiet.
                    continue;
                }
                ChatChunk chunk = ChatChunk.of(event.data());
                switch (chunk.kind()) {
                    case DONE -> {
                        return endedBeforeOutput(held, true);
                    }
                    case ERROR, MALFORMED -> {
                        return failed(Fault.STREAM_BROKEN_BEFORE_OUTPUT, 502);
                    }
                    case OUTPUT, SILENT -> {
                        noteFinish(chunk);
                        byte[] frame = frame(chunk);
                        held.add(frame);
                        heldBytes += frame.length;
                        if (chunk.kind() == ChatChunk.Kind.OUTPUT
                                || held.size() > HOLD_BACK_MAX_EVENTS || heldBytes > HOLD_BACK_MAX_BYTES) {
                            commit(held);
                            items.subList(i + 1, items.size()).forEach(this::deliver);
                            return new Opening.Committed(this);
                        }
                    }
                }
            }
        }
    }

    @Override
    public byte[] next() {
        while (true) {
            if (closed.get()) {
                return null;
            }
            byte[] frame = ready.poll();
            if (frame != null) {
                return frame;
            }
            if (ended) {
                return null;
            }
            pull();
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (endedWithDone) {
                // The upstream's [DONE] arrived: read the rest of its body so the connection can serve again.
                exchange.finish();
            } else {
                exchange.abort();
            }
        }
    }

    private void pull() {
        List<SseItem> items;
        try {
            items = readItems();
        } catch (TransportFailure failure) {
            endAfterFailure(failure.fault() == Fault.IDLE_TIMEOUT || failure.fault() == Fault.FIRST_OUTPUT_TIMEOUT
                    ? Interruption.TIMED_OUT : Interruption.BROKEN);
            return;
        } catch (SseFormatException malformed) {
            interrupt(Interruption.MALFORMED);
            return;
        }
        if (items == null) {
            endAfterFailure(Interruption.BROKEN);
            return;
        }
        items.forEach(this::deliver);
    }

    /** Post-commit handling of one item. */
    private void deliver(SseItem item) {
        if (ended) {
            return;
        }
        switch (item) {
            case SseItem.Comment comment -> ready.add(SseFrames.comment(comment.text()));
            case SseItem.Event event -> {
                ChatChunk chunk = ChatChunk.of(event.data());
                switch (chunk.kind()) {
                    case DONE -> endWithDone();
                    case ERROR -> interrupt(Interruption.ERROR_EVENT);
                    case MALFORMED -> interrupt(Interruption.MALFORMED);
                    case OUTPUT, SILENT -> {
                        noteFinish(chunk);
                        ready.add(frame(chunk));
                    }
                }
            }
        }
    }

    /** The body ended, broke or went silent after commit. */
    private void endAfterFailure(Interruption why) {
        if (closed.get()) {
            ended = true;
            return;
        }
        // Every choice had its finish_reason: the answer is whole, only the [DONE] (and maybe usage) is missing.
        if (finished) {
            endWithDone();
        } else {
            interrupt(why);
        }
    }

    private void endWithDone() {
        ready.add(DONE);
        ended = true;
        endedWithDone = true;
    }

    private void interrupt(Interruption why) {
        ready.add(why.frame);
        ready.add(DONE);
        end();
    }

    private void end() {
        ended = true;
        // After a failure whatever the upstream still sends is not worth waiting for.
        exchange.abort();
    }

    /** Pre-output end of the stream: a clean end with nothing to show is an empty completion. */
    private Opening endedBeforeOutput(List<byte[]> held, boolean sawDone) {
        if (!sawDone && !finished) {
            return failed(Fault.STREAM_BROKEN_BEFORE_OUTPUT, 502);
        }
        if (finishReason == null || "stop".equals(finishReason)) {
            return failed(Fault.EMPTY_COMPLETION, 502);
        }
        // Finished for another reason (length, content_filter): that is an answer the client must see.
        commit(held);
        endWithDone();
        return new Opening.Committed(this);
    }

    private Opening failed(Fault fault, int status) {
        ended = true;
        exchange.abort();
        return new Opening.Failed(fault, status);
    }

    private void commit(List<byte[]> held) {
        exchange.outputStarted();
        ready.addAll(held);
    }

    private void noteFinish(ChatChunk chunk) {
        if (chunk.finishReason() != null) {
            finished = true;
            finishReason = chunk.finishReason();
        }
    }

    private byte[] frame(ChatChunk chunk) {
        if (echoModel != null && chunk.json().has("model")) {
            return SseFrames.data(ChatJson.text(chunk.json().put("model", echoModel)));
        }
        return SseFrames.data(chunk.data());
    }

    /** The items completed by the next bytes, or null at the end of the body. */
    private List<SseItem> readItems() throws TransportFailure, SseFormatException {
        while (true) {
            int count = exchange.read(buffer);
            if (count < 0) {
                return null;
            }
            List<SseItem> items = parser.feed(buffer, 0, count);
            if (!items.isEmpty()) {
                return items;
            }
        }
    }

}
