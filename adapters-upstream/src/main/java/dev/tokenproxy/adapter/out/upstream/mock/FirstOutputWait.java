package dev.tokenproxy.adapter.out.upstream.mock;

import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.domain.classify.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A mock upstream's wait before its first output, bounded the way the transport bounds a real upstream's: by the
 * attempt's first-output timeout and the request deadline, whichever comes first. The waiting thread is the request's
 * own and is held no longer than that limit; an abort (the client left) releases it at once.
 */
final class FirstOutputWait {

    private final long startNanos = System.nanoTime();
    private final long limitNanos;
    private final CountDownLatch aborted = new CountDownLatch(1);

    /**
     * @param firstOutput the attempt's first-output timeout
     * @param deadline    the request deadline
     * @param now         the time the attempt started, on the clock the deadline is on
     */
    FirstOutputWait(Duration firstOutput, Instant deadline, Instant now) {
        Duration untilDeadline = Duration.between(now, deadline);
        this.limitNanos = Math.max(0, Math.min(firstOutput.toNanos(), untilDeadline.toNanos()));
    }

    /**
     * Waits {@code delay}, or until the limit if that comes first.
     *
     * @throws TransportFailure {@link Fault#FIRST_OUTPUT_TIMEOUT} when the limit came first (the transport reports a
     *                          passed deadline before output the same way), {@link Fault#CONNECTION_RESET} when aborted
     */
    void await(Duration delay) throws TransportFailure {
        long left = limitNanos - (System.nanoTime() - startNanos);
        long wanted = delay.toNanos();
        long wait = Math.max(0, Math.min(wanted, left));
        try {
            if (aborted.await(wait, TimeUnit.NANOSECONDS)) {
                throw new TransportFailure(Fault.CONNECTION_RESET, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportFailure(Fault.CONNECTION_RESET, e);
        }
        if (wait < wanted) {
            throw new TransportFailure(Fault.FIRST_OUTPUT_TIMEOUT, null);
        }
    }

    /** Releases a waiting thread; every later wait fails at once. */
    void abort() {
        aborted.countDown();
    }

    boolean isAborted() {
        return aborted.getCount() == 0;
    }
}
