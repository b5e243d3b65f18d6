package dev.tokenproxy.adapter.out.upstream.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Whether threads woken from outside the carriers still get their turn, which decides whether a request may yield
 * before it reads its answer (ADR 0016). The JDK's scheduler (25) runs a carrier's own queue until it is empty, and a
 * yield lands in that queue whenever it holds anything: with one carrier, a steady load of requests that yield keeps
 * it from ever emptying, and the threads that the JDK's I/O poller wakes (and the poller's own thread) wait in the
 * queues of the threads that woke them. Single requests waited up to 12 s while others flowed (benchmark.md, fourteenth
 * pass). A virtual thread that wakes from a timed sleep every {@link #BEAT_NANOS} is woken the same way, from outside;
 * when its beat is late, requests stop yielding, and the carrier's queue runs dry as soon as each of them has parked.
 * The beat runs only while requests ask (ADR 0016).
 */
final class WakeupHeartbeat implements AutoCloseable {

    static final long BEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** A beat this late means woken threads are kept waiting: far beyond a young collection or a busy queue's round. */
    static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Unasked for this long, the beat stops (an idle gateway wakes no one) until the next question starts it. */
    static final long REST_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final AtomicBoolean beating = new AtomicBoolean();
    private volatile long lastBeat;
    private volatile long lastAsked;
    private volatile boolean closed;

    WakeupHeartbeat() {
        // Long ago on the JVM's clock, whatever its origin (nanoTime may be negative): not asked, no beat yet.
        long longAgo = System.nanoTime() - 2 * REST_AFTER_NANOS;
        lastBeat = longAgo;
        lastAsked = longAgo;
    }

    /**
     * Whether woken threads run on time. Starts the beat if it rests (the first answer after a rest is "late", so
     * that request does not yield).
     */
    boolean onTime() {
        long now = System.nanoTime();
        // Written at most every few beats, so that requests under load mostly read a shared line rather than write it.
        if (now - lastAsked > BEAT_NANOS) {
            lastAsked = now;
        }
        if (!beating.get() && !closed && beating.compareAndSet(false, true)) {
            Thread.ofVirtual().name("token-proxy-wakeup-heartbeat").start(this::beatWhileAsked);
        }
        return onTime(now);
    }

    boolean onTime(long now) {
        return now - lastBeat <= LATE_NANOS;
    }

    void beat(long now) {
        lastBeat = now;
    }

    private void beatWhileAsked() {
        beat(System.nanoTime());
        while (!closed && System.nanoTime() - lastAsked < REST_AFTER_NANOS) {
            LockSupport.parkNanos(BEAT_NANOS);
            beat(System.nanoTime());
        }
        beating.set(false);
    }

    @Override
    public void close() {
        closed = true;
    }
}
