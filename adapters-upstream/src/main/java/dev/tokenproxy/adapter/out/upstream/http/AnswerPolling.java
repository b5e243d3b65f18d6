package dev.tokenproxy.adapter.out.upstream.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Whether to poll for an answer instead of parking at once. A thread that parks on a socket read is woken by the
 * JDK's poller thread, which on an idle machine means waking a sleeping core twice: at one request at a time that was
 * half of what the gateway added to an answer from a nearby upstream (docs/benchmark.md, eighth pass). Polling for a
 * few tens of microseconds catches such an answer without parking.
 *
 * <p>Only when it can pay: when this is the only exchange running (under load there is always other work, and the
 * thread parks as before), and when the endpoint's last answer came within a few polling windows (an upstream across
 * the internet answers in milliseconds: its requests never poll). A polling thread yields between its reads, so a
 * request that arrives meanwhile is not kept waiting.
 */
final class AnswerPolling {

    /** How long a read polls: longer than a round trip on one machine or one rack, short beside any model's answer. */
    static final long WINDOW_NANOS = TimeUnit.MICROSECONDS.toNanos(60);
    /** An endpoint whose last answer took longer than this is not polled for. */
    private static final long QUICK_NANOS = 4 * WINDOW_NANOS;

    private final Map<Endpoint, Long> lastAnswerNanos = new ConcurrentHashMap<>();

    /**
     * @param activeExchanges how many exchanges run, this one included
     * @return how long to poll for the answer from {@code endpoint}, 0 for not at all
     */
    long windowFor(Endpoint endpoint, int activeExchanges) {
        if (activeExchanges > 1) {
            return 0;
        }
        Long last = lastAnswerNanos.get(endpoint);
        return last != null && last <= QUICK_NANOS ? WINDOW_NANOS : 0;
    }

    /** How long the answer from {@code endpoint} took, from the request's last byte to its head's. */
    void answered(Endpoint endpoint, long nanos) {
        Long last = lastAnswerNanos.get(endpoint);
        // Written only when it changes sides of the limit, so that a steady stream of answers writes nothing.
        if (last == null || (last <= QUICK_NANOS) != (nanos <= QUICK_NANOS)) {
            lastAnswerNanos.put(endpoint, nanos);
        }
    }
}
