package dev.tokenproxy.adapter.out.upstream.usage;

import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.util.Optional;

/** A delivered stream that notes the usage its chunks report as they pass, for {@link #usage()} at its end. */
final class UsageCountingStream implements ReplyStream {

    private final ReplyStream stream;
    /** Written and read by the thread that pulls the stream. */
    private volatile TokenUsage usage = TokenUsage.NONE;

    UsageCountingStream(ReplyStream stream) {
        this.stream = stream;
    }

    @Override
    public byte[] next() {
        byte[] chunk = stream.next();
        if (chunk != null) {
            ReportedUsage.ofChunk(chunk).ifPresent(seen -> usage = ReportedUsage.largest(usage, seen));
        }
        return chunk;
    }

    @Override
    public Optional<AttemptSignal> brokenAfterOutput() {
        return stream.brokenAfterOutput();
    }

    @Override
    public TokenUsage usage() {
        return usage;
    }

    @Override
    public void close() {
        stream.close();
    }
}
