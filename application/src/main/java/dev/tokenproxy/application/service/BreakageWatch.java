package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A delivered stream that tells, when it is closed, whether it broke after its first output, so that the failure
 * counts against the credential that produced it (behaviour §5: a transient failure cools) even though the request is
 * never replayed.
 */
final class BreakageWatch implements ReplyStream {

    private final ReplyStream stream;
    private final Consumer<AttemptSignal> onBreak;
    private boolean reported;

    BreakageWatch(ReplyStream stream, Consumer<AttemptSignal> onBreak) {
        this.stream = stream;
        this.onBreak = onBreak;
    }

    @Override
    public byte[] next() {
        return stream.next();
    }

    @Override
    public Optional<AttemptSignal> brokenAfterOutput() {
        return stream.brokenAfterOutput();
    }

    @Override
    public void close() {
        stream.close();
        if (!reported) {
            reported = true;
            stream.brokenAfterOutput().ifPresent(onBreak);
        }
    }
}
