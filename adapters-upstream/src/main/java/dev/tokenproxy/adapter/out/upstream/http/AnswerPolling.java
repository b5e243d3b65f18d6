package dev.tokenproxy.adapter.out.upstream.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether to poll for an answer instead of parking at once. A thread that parks on a socket read is woken by the
 * JDK's poller thread, which on an idle machine means waking a sleeping core twice: at one request at a time that was
 * half of what the gateway added to an answer from a nearby upstream (docs/benchmark.md, eighth pass). Polling for a
 * few tens of microseconds catches such an answer without parking.
 *
 * <p>Only when it can pay: when this is the only exchange running (under load there is always other work, and the
 * thread parks as before), and when the endpoint's last answer came within a few polling windows (an upstream across
 * the internet answers in milliseconds: its requests poll only now and then, to find out whether it still is slow). A
 * polling thread yields between its reads, so a request that arrives meanwhile is not kept waiting.
 */
final class AnswerPolling {

    /** How long a read polls: longer than a round trip on one machine or one rack, short beside any model's answer. */
    static final long WINDOW_NANOS = TimeUnit.MICROSECONDS.toNanos(60);
    /** An endpoint whose last answer took longer than this is not polled for, but for a probe now and then. */
    private static final long QUICK_NANOS = 4 * WINDOW_NANOS;
    /**
     * A slow endpoint is polled for once more after this many slow answers. An answer that was not polled for takes
     * longer by the wake-ups that polling saves (~0.4 ms instead of ~0.06 ms from the benchmark's mock): without a
     * probe, one late answer (a collection, a compilation) put the endpoint on the slow side, and every answer after
     * it stayed there, 78 requests in a row in one trace (benchmark.md, tenth pass). For an endpoint that is slow, a
     * probe costs one window every few answers, each of which takes milliseconds.
     */
    static final int PROBE_EVERY = 8;

    private final Map<Endpoint, Pace> paces = new ConcurrentHashMap<>();

    /**
     * @param activeExchanges how many exchanges run, this one included
     * @return how long to poll for the answer from {@code endpoint}, 0 for not at all
     */
    long windowFor(Endpoint endpoint, int activeExchanges) {
        if (activeExchanges > 1) {
            return 0;
        }
        Pace pace = paces.get(endpoint);
        if (pace == null) {
            return 0;
        }
        return pace.quick || pace.slowAnswers.get() % PROBE_EVERY == 0 ? WINDOW_NANOS : 0;
    }

    /** How long the answer from {@code endpoint} took, from the request's last byte to its head's. */
    void answered(Endpoint endpoint, long nanos) {
        Pace pace = paces.get(endpoint);
        if (pace == null) {
            pace = paces.computeIfAbsent(endpoint, e -> new Pace());
        }
        boolean quick = nanos <= QUICK_NANOS;
        // Written only when it changes sides of the limit, so that a steady stream of quick answers writes nothing.
        if (pace.quick != quick) {
            pace.quick = quick;
        }
        if (!quick) {
            pace.slowAnswers.incrementAndGet();
        }
    }

    /** What the last answer of an endpoint says about the next one. */
    private static final class Pace {
        private volatile boolean quick;
        /** Slow answers so far: every {@link #PROBE_EVERY}th is followed by a probe. */
        private final AtomicInteger slowAnswers = new AtomicInteger();
    }
}
