package dev.tokenproxy.adapter.out.upstream.stream;

import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pre-output boundary of behaviour §6, for every provider and format. {@link #open()} reads up to the first real
 * output while holding back everything before it, so a stream that fails early stays invisible and the attempt can
 * be retried elsewhere; from then on the gate is the {@link ReplyStream} the client pulls, one frame per
 * {@link #next()}, and every failure ends it with the dialect's terminal error, never with what looks like a
 * complete answer. Transport limits (first output, idle, deadline) are the frame source's; the gate only says when
 * output started.
 *
 * @param <F> a frame of the upstream's transport framing
 */
public final class PreOutputGate<F> implements ReplyStream {

    /** Set, once, by the request thread that pulls the stream; read by the same thread when it closes it. */
    private volatile AttemptSignal brokenBy;

    /** Held-back budgets of behaviour §6: past them the stream is committed even without output. */
    public static final int HOLD_BACK_MAX_EVENTS = 128;
    public static final long HOLD_BACK_MAX_BYTES = 1024 * 1024;

    /** How {@link #open()} ended. */
    public sealed interface Opening {
        /** Output (or a deliverable end) arrived: the stream is the reply. */
        record Committed(ReplyStream stream) implements Opening {
            public Committed {
                Objects.requireNonNull(stream, "stream");
            }
        }

        /** Nothing deliverable: the attempt failed before output, for the reasons {@code signal} carries. */
        record Failed(AttemptSignal signal) implements Opening {
            public Failed {
                Objects.requireNonNull(signal, "signal");
            }
        }
    }

    private final FrameSource<F> source;
    private final StreamDialect<F> dialect;
    private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean committed;
    private boolean ended;
    private volatile boolean endedCleanly;
    private int heldEvents;
    private long heldBytes;

    public PreOutputGate(FrameSource<F> source, StreamDialect<F> dialect) {
        this.source = Objects.requireNonNull(source, "source");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    /** Reads until the first output; on failure the connection is closed and nothing is delivered. */
    public Opening open() {
        while (!committed) {
            AttemptSignal failure = pullAndApply();
            if (failure != null) {
                ended = true;
                source.abort();
                ready.clear();
                return new Opening.Failed(failure);
            }
        }
        return new Opening.Committed(this);
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
            pullAndApply();
        }
    }

    /** Ends the stream: one that ended cleanly lets its connection serve again, any other is aborted. */
    @Override
    public Optional<AttemptSignal> brokenAfterOutput() {
        return Optional.ofNullable(brokenBy);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (endedCleanly) {
                source.finish();
            } else {
                source.abort();
            }
        }
    }

    /**
     * Reads the next frames and applies what the dialect makes of each, one at a time (the dialect's reading of a
     * frame may depend on whether an earlier frame of the same read committed the stream).
     *
     * @return the failure signal when the stream failed before commit, else null
     */
    private AttemptSignal pullAndApply() {
        List<F> frames;
        try {
            frames = source.next();
        } catch (TransportFailure failure) {
            return applyOrFail(dialect.transportFailed(failure.fault()));
        } catch (MalformedFrameException malformed) {
            return applyOrFail(dialect.malformed());
        }
        if (frames == null) {
            return applyOrFail(dialect.endOfBody());
        }
        for (F frame : frames) {
            AttemptSignal failure = applyOrFail(dialect.step(frame));
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    private AttemptSignal applyOrFail(DialectStep step) {
        if (step instanceof DialectStep.Fail fail && !committed) {
            return fail.signal();
        }
        apply(step);
        return null;
    }

    private void apply(DialectStep step) {
        if (ended) {
            return;
        }
        switch (step) {
            case DialectStep.KeepAlive keepAlive -> {
                if (committed) {
                    ready.add(keepAlive.frame());
                }
            }
            case DialectStep.Hold hold -> {
                hold.frames().forEach(this::add);
                if (!committed && (heldEvents > HOLD_BACK_MAX_EVENTS || heldBytes > HOLD_BACK_MAX_BYTES)) {
                    commit();
                }
            }
            case DialectStep.Emit emit -> {
                emit.frames().forEach(this::add);
                commit();
            }
            case DialectStep.Finish finish -> {
                finish.frames().forEach(this::add);
                commit();
                ended = true;
                endedCleanly = true;
            }
            case DialectStep.Fail fail -> {
                // Only after commit: before it, open() turns the failure into a failed attempt.
                brokenBy = fail.signal();
                ready.addAll(dialect.interruption(fail.after()));
                ended = true;
                source.abort();
            }
        }
    }

    private void add(byte[] frame) {
        ready.add(frame);
        if (!committed) {
            heldEvents++;
            heldBytes += frame.length;
        }
    }

    private void commit() {
        if (!committed) {
            committed = true;
            source.outputStarted();
            dialect.committed();
        }
    }
}
