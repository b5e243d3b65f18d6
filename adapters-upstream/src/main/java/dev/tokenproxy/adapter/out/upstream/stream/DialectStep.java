package dev.tokenproxy.adapter.out.upstream.stream;

import dev.tokenproxy.domain.classify.AttemptSignal;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link StreamDialect} made of one upstream frame (or of the end of the body): frames of the inbound format
 * and what they mean for the pre-output boundary (behaviour §6).
 */
public sealed interface DialectStep {

    /** Nothing a client would see yet (created, in_progress, role-only or empty deltas): held back until commit. */
    record Hold(List<byte[]> frames) implements DialectStep {
        public Hold {
            frames = List.copyOf(frames);
        }
    }

    /** Real output (text, reasoning, a tool call): commits the stream. */
    record Emit(List<byte[]> frames) implements DialectStep {
        public Emit {
            frames = List.copyOf(frames);
        }
    }

    /** A keep-alive: dropped before commit (it only kept the idle timer quiet), passed on after. */
    record KeepAlive(byte[] frame) implements DialectStep {
        public KeepAlive {
            Objects.requireNonNull(frame, "frame");
        }
    }

    /** The stream ended as its format says it should, with something to deliver: commits, delivers, ends. */
    record Finish(List<byte[]> frames) implements DialectStep {
        public Finish {
            frames = List.copyOf(frames);
        }
    }

    /**
     * The stream failed. Before commit the attempt fails with {@code signal}, which carries everything the
     * classification needs (status, error type and code, wait hint); after commit the client gets the dialect's
     * terminal error for {@code after}.
     */
    record Fail(AttemptSignal signal, StreamBreak after) implements DialectStep {
        public Fail {
            Objects.requireNonNull(signal, "signal");
            Objects.requireNonNull(after, "after");
        }
    }

    static DialectStep hold(byte[] frame) {
        return new Hold(List.of(frame));
    }

    static DialectStep emit(byte[] frame) {
        return new Emit(List.of(frame));
    }
}
