package dev.tokenproxy.adapter.out.upstream.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Enforces the time limits of every exchange with one shared thread. Socket read timeouts cannot express "first
 * output since the request was sent" or "the request deadline", so each exchange gets a {@link Watch}, and the
 * watchdog looks at every active watch once a {@link #TICK}, aborting the connection of one whose limit has passed.
 * The reading thread only writes volatile timestamps.
 *
 * <p>Why a tick rather than a timer per exchange: scheduling and cancelling a check for every exchange woke this
 * thread once or twice per request (a new head of the timer queue signals it), which at one request at a time was
 * a context switch on the request's core each time. A limit now passes up to one tick late, which is nothing next to
 * limits of seconds. Ticks run only while an exchange is active, so an idle gateway is never woken.
 */
final class Watchdog implements AutoCloseable {

    static final long TICK_MILLIS = 10;

    private final Set<Watch> active = ConcurrentHashMap.newKeySet();
    /** Whether a tick is scheduled; set by whoever schedules it, cleared by the tick as it starts. */
    private final AtomicBoolean tickPending = new AtomicBoolean();
    private final ScheduledThreadPoolExecutor scheduler;

    Watchdog() {
        scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "upstream-watchdog");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts watching an exchange that begins now (with its connect). */
    Watch start(ExchangeLimits limits) {
        var watch = new Watch(this, limits, System.nanoTime());
        active.add(watch);
        scheduleTick();
        return watch;
    }

    /** The watch has ended: nothing more to check. */
    void forget(Watch watch) {
        active.remove(watch);
    }

    private void scheduleTick() {
        if (tickPending.compareAndSet(false, true)) {
            scheduler.schedule(this::checkAll, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** One tick: checks every active watch, and schedules the next tick while any is left. */
    private void checkAll() {
        // Cleared first: a watch that starts from here on either is seen below or schedules the next tick itself.
        tickPending.set(false);
        long now = now();
        for (Watch watch : active) {
            try {
                watch.check(now);
            } catch (RuntimeException e) {
                // One exchange's abort must not stop the checks of all the others.
                System.getLogger(Watchdog.class.getName()).log(System.Logger.Level.WARNING,
                        "upstream watchdog: a check failed: " + e);
            }
        }
        if (!active.isEmpty()) {
            scheduleTick();
        }
    }

    /** Whether a tick is scheduled: false once no exchange is active, so that an idle gateway sleeps. */
    boolean ticking() {
        return tickPending.get();
    }

    static long now() {
        return System.nanoTime();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
