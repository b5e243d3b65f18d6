package dev.tokenproxy.adapter.out.upstream.http;

import java.time.Duration;

/** Waits until a thread is parked, e.g. a virtual thread blocked in a socket read, so a test can act on it then. */
public final class BlockedThread {

    private BlockedThread() {
    }

    /** Whether {@code thread} reached a waiting state within {@code bound}. */
    public static boolean await(Thread thread, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Thread.State state = thread.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                return true;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return false;
    }
}
