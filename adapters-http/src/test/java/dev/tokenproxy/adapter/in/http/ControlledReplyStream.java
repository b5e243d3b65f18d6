package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.model.ReplyStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A committed stream whose chunks the test releases one at a time, so that it can tell what the client got before
 * the next chunk even existed.
 */
final class ControlledReplyStream implements ReplyStream {

    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger closeCalls = new AtomicInteger();

    /** Makes {@code chunk} the next thing {@link #next()} hands out. */
    void release(String chunk) {
        chunks.add(chunk.getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the stream after the chunks released so far. */
    private volatile dev.tokenproxy.domain.classify.AttemptSignal brokenBy;

    /** The stream will say, once it has ended, that {@code signal} broke it after its output. */
    void brokenBy(dev.tokenproxy.domain.classify.AttemptSignal signal) {
        this.brokenBy = signal;
    }

    @Override
    public java.util.Optional<dev.tokenproxy.domain.classify.AttemptSignal> brokenAfterOutput() {
        return java.util.Optional.ofNullable(brokenBy);
    }

    void end() {
        chunks.add(END);
    }

    private volatile dev.tokenproxy.domain.attempt.TokenUsage usage = dev.tokenproxy.domain.attempt.TokenUsage.NONE;

    /** The stream will say, once it has ended, that it cost {@code reported}. */
    void reports(dev.tokenproxy.domain.attempt.TokenUsage reported) {
        this.usage = reported;
    }

    @Override
    public dev.tokenproxy.domain.attempt.TokenUsage usage() {
        return usage;
    }

    @Override
    public byte[] next() {
        try {
            byte[] chunk = chunks.take();
            return chunk == END ? null : chunk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private volatile CountDownLatch closeWaitsFor;

    /**
     * Makes {@link #close()} wait (at most ten seconds) until {@code latch} is released, as an upstream stream's close
     * may wait for the upstream's own end.
     */
    void closeWaitsFor(CountDownLatch latch) {
        this.closeWaitsFor = latch;
    }

    @Override
    public void close() {
        closeCalls.incrementAndGet();
        CountDownLatch waitFor = closeWaitsFor;
        if (waitFor != null) {
            try {
                waitFor.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closed.countDown();
    }

    boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        return closed.await(timeout, unit);
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    int closeCalls() {
        return closeCalls.get();
    }
}
