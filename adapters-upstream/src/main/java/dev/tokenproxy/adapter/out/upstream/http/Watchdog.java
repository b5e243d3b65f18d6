package dev.tokenproxy.adapter.out.upstream.http;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Enforces the time limits of every exchange with one shared scheduler thread. Socket read timeouts cannot express
 * "first output since the request was sent" or "the request deadline", so each exchange gets a {@link Watch}: one
 * scheduled check that re-arms itself for the next moment a limit could pass, and aborts the connection when one has.
 * The reading thread only writes volatile timestamps.
 */
final class Watchdog implements AutoCloseable {

    private final ScheduledThreadPoolExecutor scheduler;

    Watchdog() {
        scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "upstream-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        // Most checks are cancelled because the exchange ended first; drop them instead of letting them pile up.
        scheduler.setRemoveOnCancelPolicy(true);
    }

    /** Starts watching an exchange that begins now (with its connect). */
    Watch start(ExchangeLimits limits) {
        var watch = new Watch(this, limits, System.nanoTime());
        watch.arm();
        return watch;
    }

    ScheduledFuture<?> schedule(Runnable check, long delayNanos) {
        return scheduler.schedule(check, delayNanos, TimeUnit.NANOSECONDS);
    }

    static long now() {
        return System.nanoTime();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
