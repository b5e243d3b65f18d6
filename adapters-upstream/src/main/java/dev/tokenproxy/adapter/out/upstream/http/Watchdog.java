package dev.tokenproxy.adapter.out.upstream.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Enforces the time limits of every exchange with one shared thread. Socket read timeouts cannot express "first
 * output since the request was sent" or "the request deadline", so each exchange gets a {@link Watch}, and the
 * watchdog looks at the active watches when the earliest of their limits can pass, aborting the connection of one
 * whose limit has passed. The reading thread only writes volatile timestamps.
 *
 * <p>Why one check at the earliest limit rather than a timer per exchange or a fixed tick: a timer per exchange woke
 * this thread once or twice per request (a new head of the timer queue signals it), a context switch on the request's
 * core each time; a fixed 10 ms tick woke it twenty times in a 200 ms stream. Limits are seconds long and reads move
 * the idle limit forward, so the next check is usually far away, and an exchange that starts or reads never schedules
 * one unless its own limit comes before the one already scheduled. A limit passes on time, not up to a tick late.
 * Nothing is scheduled once no exchange is active, so an idle gateway is never woken.
 */
final class Watchdog implements AutoCloseable {

    /** No check is scheduled. */
    static final long NONE = Long.MAX_VALUE;
    /** Checks never follow each other closer than this, whatever the limits. */
    static final long MIN_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** {@link #now()} counts from here, so that times are positive and {@link #NONE} is later than any of them. */
    private static final long ORIGIN = System.nanoTime();

    private final Set<Watch> active = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor scheduler;
    private final ReentrantLock scheduling = new ReentrantLock();
    /** When the next check runs ({@link #now()} time), or {@link #NONE}; read without the lock, written with it. */
    private volatile long checkAt = NONE;
    private ScheduledFuture<?> check;
    private final AtomicLong checksScheduled = new AtomicLong();

    Watchdog() {
        // A virtual thread: requests take the scheduler's queue lock and this class's to move a check earlier, and a
        // platform thread that let go of either would wake a waiting request from outside the carriers, where it can
        // wait for seconds while they are all busy (ADR 0016). A check that comes late under such load is harmless.
        scheduler = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("upstream-watchdog").factory());
        // A check moved earlier leaves the queue at once instead of waking the thread at its old time.
        scheduler.setRemoveOnCancelPolicy(true);
    }

    /** Starts watching an exchange that begins now (with its connect). */
    Watch start(ExchangeLimits limits) {
        var watch = new Watch(this, limits, now());
        active.add(watch);
        checkBy(watch.nextExpiry());
        return watch;
    }

    /** How many exchanges are running (each from its connect to its end). */
    int activeExchanges() {
        return active.size();
    }

    /** The watch has ended: nothing more to check. */
    void forget(Watch watch) {
        active.remove(watch);
    }

    /**
     * Makes sure a check runs no later than {@code at}: called by a watch whose state change may have brought one of
     * its limits before every scheduled check. Usually a volatile read and nothing else.
     */
    void checkBy(long at) {
        if (checkAt <= at) {
            return;
        }
        scheduling.lock();
        try {
            if (checkAt <= at) {
                return;
            }
            if (check != null) {
                check.cancel(false);
            }
            checkAt = at;
            check = scheduler.schedule(this::checkAll, Math.max(0, at - now()), TimeUnit.NANOSECONDS);
            checksScheduled.incrementAndGet();
        } finally {
            scheduling.unlock();
        }
    }

    /** One check: every active watch, then the next check at the earliest limit of those still active. */
    private void checkAll() {
        // Cleared before the watches are read: a watch that changes from here on either is seen below or, finding no
        // check scheduled, schedules its own (both sides are volatile, so one of them sees the other).
        scheduling.lock();
        try {
            checkAt = NONE;
            check = null;
        } finally {
            scheduling.unlock();
        }
        long now = now();
        long next = NONE;
        for (Watch watch : active) {
            try {
                watch.check(now);
                next = Math.min(next, watch.nextExpiry());
            } catch (RuntimeException e) {
                // One exchange's abort must not stop the checks of all the others.
                System.getLogger(Watchdog.class.getName()).log(System.Logger.Level.WARNING,
                        "upstream watchdog: a check failed: " + e);
            }
        }
        if (next != NONE) {
            checkBy(Math.max(next, now + MIN_GAP_NANOS));
        }
    }

    /** Whether a check is scheduled: false once no exchange is active, so that an idle gateway sleeps. */
    boolean ticking() {
        return checkAt != NONE;
    }

    /** When the next check runs, in {@link #now()} time, or {@link #NONE}. */
    long nextCheckAt() {
        return checkAt;
    }

    /** How many checks were scheduled so far: what wakes this thread. */
    long checksScheduled() {
        return checksScheduled.get();
    }

    /** Nanoseconds since an arbitrary origin in this process; always positive, and earlier than {@link #NONE}. */
    static long now() {
        return System.nanoTime() - ORIGIN;
    }

    /** {@code start + nanos}, or {@link #NONE} if that is beyond what a long holds. */
    static long plus(long start, long nanos) {
        long sum = start + nanos;
        return sum < start ? NONE : sum;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
