package dev.tokenproxy.adapter.out.upstream.stream;

import dev.tokenproxy.adapter.out.upstream.sse.SseFormatException;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.sse.SseParser;
import dev.tokenproxy.domain.classify.Fault;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Two dialects in a row: {@code first} translates the upstream's frames into an SSE format, {@code second} reads that
 * format (parsed, as if it came off the wire) and translates it into the client's. So a provider whose upstream is
 * reached through one translation (Kiro → Messages) serves the clients of another (Messages → Chat) without a copy of
 * the second translation.
 *
 * <p>The second dialect speaks to the client, so it decides what commits: a frame the first one emits may still be
 * held back by the second (an empty text block is no Chat output). A failure of the first keeps its own signal, which
 * is closer to the upstream and classifies better; after commit its terminal error is read by the second, so the
 * client's error event carries the upstream's message.
 *
 * @param <F> a frame of the upstream's transport framing
 */
public final class SseChainedDialect<F> implements StreamDialect<F> {

    private final StreamDialect<F> first;
    private final StreamDialect<SseItem> second;
    private final SseParser parser = new SseParser();

    public SseChainedDialect(StreamDialect<F> first, StreamDialect<SseItem> second) {
        this.first = Objects.requireNonNull(first, "first");
        this.second = Objects.requireNonNull(second, "second");
    }

    @Override
    public void committed() {
        first.committed();
        second.committed();
    }

    @Override
    public DialectStep step(F frame) {
        return relayed(first.step(frame));
    }

    @Override
    public DialectStep endOfBody() {
        return relayed(first.endOfBody());
    }

    @Override
    public DialectStep transportFailed(Fault fault) {
        return relayed(first.transportFailed(fault));
    }

    @Override
    public DialectStep malformed() {
        return relayed(first.malformed());
    }

    @Override
    public List<byte[]> interruption(StreamBreak why) {
        // What the second makes of the first's terminal error does not matter, only what it then knows (the message).
        translated(first.interruption(why));
        return second.interruption(why);
    }

    /** The second dialect's reading of what the first made of one upstream frame. */
    private DialectStep relayed(DialectStep firstStep) {
        return switch (firstStep) {
            case DialectStep.Hold hold -> translated(hold.frames());
            case DialectStep.Emit emit -> translated(emit.frames());
            case DialectStep.KeepAlive keepAlive -> translated(List.of(keepAlive.frame()));
            case DialectStep.Fail fail -> fail;
            case DialectStep.Finish finish -> finished(translated(finish.frames()));
        };
    }

    /**
     * The first dialect ended its stream cleanly; if its last frames did not end the second's as well (no terminal
     * event in them), the second sees its body end there.
     */
    private DialectStep finished(DialectStep translated) {
        return switch (translated) {
            case DialectStep.Finish finish -> finish;
            case DialectStep.Fail fail -> fail;
            case DialectStep.Hold hold -> merged(hold.frames(), second.endOfBody());
            case DialectStep.Emit emit -> merged(emit.frames(), second.endOfBody());
            case DialectStep.KeepAlive keepAlive -> second.endOfBody();
        };
    }

    /**
     * SSE frames of the first dialect, parsed and stepped through the second, as one step: the first failure or end
     * wins (frames after it mean nothing), else any output makes the whole an emit, else it is held back (or, when
     * it was only keep-alives, a keep-alive).
     */
    private DialectStep translated(List<byte[]> sseFrames) {
        List<byte[]> frames = new ArrayList<>();
        boolean output = false;
        byte[] keepAlive = null;
        for (byte[] sseFrame : sseFrames) {
            List<SseItem> items;
            try {
                items = parser.feed(sseFrame, 0, sseFrame.length);
            } catch (SseFormatException notSse) {
                return second.malformed();
            }
            for (SseItem item : items) {
                switch (second.step(item)) {
                    case DialectStep.Fail fail -> {
                        return fail;
                    }
                    case DialectStep.Finish finish -> {
                        return merged(frames, finish);
                    }
                    case DialectStep.Emit emit -> {
                        frames.addAll(emit.frames());
                        output = true;
                    }
                    case DialectStep.Hold hold -> frames.addAll(hold.frames());
                    case DialectStep.KeepAlive alive -> keepAlive = alive.frame();
                }
            }
        }
        if (output) {
            return new DialectStep.Emit(frames);
        }
        return frames.isEmpty() && keepAlive != null ? new DialectStep.KeepAlive(keepAlive)
                : new DialectStep.Hold(frames);
    }

    /** Frames already translated, then {@code last}: its meaning, with the earlier frames before its own. */
    private static DialectStep merged(List<byte[]> earlier, DialectStep last) {
        if (earlier.isEmpty()) {
            return last;
        }
        return switch (last) {
            case DialectStep.Finish finish -> new DialectStep.Finish(concat(earlier, finish.frames()));
            case DialectStep.Emit emit -> new DialectStep.Emit(concat(earlier, emit.frames()));
            case DialectStep.Hold hold -> new DialectStep.Hold(concat(earlier, hold.frames()));
            case DialectStep.KeepAlive keepAlive -> new DialectStep.Hold(earlier);
            // The frames before a failure are lost with it: a step cannot both deliver and fail.
            case DialectStep.Fail fail -> fail;
        };
    }

    private static List<byte[]> concat(List<byte[]> a, List<byte[]> b) {
        List<byte[]> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
