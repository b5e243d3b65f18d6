package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A delivered stream that reports, once, how it ended: completed or broken by the upstream after its output as soon
 * as it has handed out its last chunk, left by the client when it is closed before that. The application learns this
 * way what a committed stream cost and whether it broke (behaviour §5: a break after output still cools its
 * credential), while the HTTP adapter only pumps bytes.
 *
 * <p>The end is reported before the stream is closed because closing may wait: an upstream stream reads the
 * upstream's own end so that its connection can serve again, and the HTTP adapter ends the client's response in
 * between. The record and the log line of a stream then exist by the time its client has seen it end.
 */
final class StreamEndWatch implements ReplyStream {

    private final ReplyStream stream;
    private final Consumer<StreamEnd> onEnd;
    private final AtomicBoolean reported = new AtomicBoolean();
    /** The client pulled the stream to its end: a close before that is the client leaving. */
    private volatile boolean pulledToEnd;

    StreamEndWatch(ReplyStream stream, Consumer<StreamEnd> onEnd) {
        this.stream = stream;
        this.onEnd = onEnd;
    }

    @Override
    public byte[] next() {
        byte[] chunk = stream.next();
        if (chunk == null) {
            pulledToEnd = true;
            report();
        }
        return chunk;
    }

    @Override
    public Optional<AttemptSignal> brokenAfterOutput() {
        return stream.brokenAfterOutput();
    }

    @Override
    public TokenUsage usage() {
        return stream.usage();
    }

    @Override
    public void close() {
        stream.close();
        report();
    }

    private void report() {
        if (reported.compareAndSet(false, true)) {
            onEnd.accept(ending());
        }
    }

    private StreamEnd ending() {
        var broken = stream.brokenAfterOutput();
        if (broken.isPresent()) {
            return new StreamEnd.Interrupted(broken.get(), stream.usage());
        }
        return pulledToEnd ? new StreamEnd.Completed(stream.usage()) : new StreamEnd.ClientCancelled(stream.usage());
    }
}
