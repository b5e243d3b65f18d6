package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.application.port.out.CarrierTurns;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Whether threads woken from outside the carriers still get their turn, which decides what a request does before it
 * reads its answer (ADR 0016). The JDK's scheduler (25) runs a carrier's own queue until it is empty before it takes a
 * thread woken from outside (by its timer, its master poller or a platform thread, such as one releasing a lock). Under
 * a steady load two things keep that queue from emptying: requests that yield (a yield lands in that queue whenever it
 * holds anything), and the JDK's read poller itself, a virtual thread that yields after every poll that found sockets
 * ready and puts the threads it wakes in the same queue. Once every carrier runs such a queue (one core, or every core
 * busy, each carrier with a poller of its own), no carrier is left for the threads woken from outside: single requests
 * and groups of them waited up to 12 s while the others flowed (benchmark.md, fourteenth and fifteenth passes). A
 * virtual thread that wakes from a timed sleep every {@link #BEAT_NANOS} is woken from outside too. While its beat is
 * on time, requests yield before they read; when it is late, they step aside instead (a short timed park, so that they
 * too are woken from outside), the poller finds no socket ready, and the queue runs dry. The beat runs only while
 * requests ask.
 */
public final class WakeupHeartbeat implements CarrierTurns, AutoCloseable {

    static final long BEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** A beat this late means woken threads are kept waiting: far beyond a young collection or a busy queue's round. */
    static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How long a request parks when it steps aside ({@link Turn#STEP_ASIDE}). */
    static final long STEP_ASIDE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** Unasked for this long, the beat stops (an idle gateway wakes no one) until the next question starts it. */
    static final long REST_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Whether the current thread took its turn before an upstream's answer since it last took one between requests: a
     * connection's requests run on the connection's thread, and one whose request has stepped aside for its answer
     * skips the turn between requests. Stepping aside at both points put the requests of a saturated core through
     * twice as many drains: p90 3.4-3.7 ms became 19-23 ms at 64 connections (benchmark.md, twenty-second pass).
     */
    private final ThreadLocal<boolean[]> answerTurnTaken = ThreadLocal.withInitial(() -> new boolean[1]);
    private final AtomicBoolean beating = new AtomicBoolean();
    private volatile long lastBeat;
    private volatile long lastAsked;
    private volatile boolean closed;

    public WakeupHeartbeat() {
        // Long ago on the JVM's clock, whatever its origin (nanoTime may be negative): not asked, no beat yet.
        long longAgo = System.nanoTime() - 2 * REST_AFTER_NANOS;
        lastBeat = longAgo;
        lastAsked = longAgo;
    }

    /** What a request does before it reads its answer. */
    enum Turn {
        /**
         * Woken threads run on time: yield once, so that the other requests' work runs first and the answer has
         * usually arrived when the read comes, which then returns it without parking.
         */
        YIELD,
        /** The beat was resting, so nothing is known: read at once. */
        READ,
        /**
         * Woken threads are kept waiting: park briefly. A timed park is woken from outside the carriers, so the thread
         * leaves the carrier's own queue; once every request has, the JDK's poller finds no socket ready and parks too,
         * the queue runs dry, and the carrier takes the threads woken from outside, this one among them. The park's
         * length matters little: the thread waits its turn behind the others anyway.
         */
        STEP_ASIDE
    }

    /** Takes the turn of a request about to read its answer: yields, reads at once, or steps aside. */
    @Override
    public void beforeAnswer() {
        answerTurnTaken.get()[0] = true;
        switch (turn()) {
            case YIELD -> Thread.yield();
            case STEP_ASIDE -> LockSupport.parkNanos(this, STEP_ASIDE_NANOS);
            case READ -> { }
        }
    }

    /**
     * Steps aside when the beat is late, before a connection waits for its client's next request, unless its last
     * request took {@link #beforeAnswer()}'s turn; otherwise does nothing (no yield: a client that sends its next
     * request at once has no reason to wait). Requests answered without an upstream never take that turn, so a flood
     * of them kept every new connection out for as long as it lasted (ADR 0023).
     */
    @Override
    public void betweenRequests() {
        if (stepsAsideBetweenRequestsAt(System.nanoTime())) {
            LockSupport.parkNanos(this, STEP_ASIDE_NANOS);
        }
    }

    boolean stepsAsideBetweenRequestsAt(long now) {
        boolean[] taken = answerTurnTaken.get();
        if (taken[0]) {
            taken[0] = false;
            return false;
        }
        return turnAt(now) == Turn.STEP_ASIDE;
    }

    /** The turn for a request about to read its answer. Starts the beat if it rests. */
    Turn turn() {
        return turnAt(System.nanoTime());
    }

    Turn turnAt(long now) {
        // Written at most every few beats, so that requests under load mostly read a shared line rather than write it.
        if (now - lastAsked > BEAT_NANOS) {
            lastAsked = now;
        }
        if (!beating.get() && !closed && beating.compareAndSet(false, true)) {
            beat(now); // the beat's thread may take a while to start: it is not late before then
            Thread.ofVirtual().name("token-proxy-wakeup-heartbeat").start(this::beatWhileAsked);
            return Turn.READ;
        }
        return onTime(now) ? Turn.YIELD : Turn.STEP_ASIDE;
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
