package dev.tokenproxy.adapter.out.upstream.http;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The time limits of one exchange, checked by the {@link Watchdog}. The exchange reports its progress (connected,
 * sent, response started, reads, first output) with volatile writes; the check aborts the connection when a limit
 * has passed and records why, so the reading thread can tell a timeout from a broken connection.
 *
 * <p>Exactly one {@link WatchEnd} wins: the release of the connection to the pool, a close by the owner, or an abort.
 * That makes "abort" and "return to the pool" mutually exclusive, so a connection the watchdog killed is never reused
 * and a pooled connection is never killed.
 */
final class Watch {

    enum Phase {
        CONNECTING,
        /** Connected, the request not yet handed to the socket: only the deadline applies. */
        CONNECTED,
        AWAITING_RESPONSE,
        RECEIVING
    }

    private final Watchdog watchdog;
    private final long connectLimit;
    private final long firstOutputLimit;
    private final long idleLimit;
    private final long startNanos;
    private volatile long deadlineNanos;

    private final AtomicReference<WatchEnd> end = new AtomicReference<>();
    private volatile Phase phase = Phase.CONNECTING;
    private volatile long sentNanos;
    private volatile boolean outputSeen;
    private volatile boolean reading;
    private volatile long lastActivityNanos;
    private volatile Runnable abortAction = () -> { };
    private volatile boolean reusable = true;

    /** @param startNanos in {@link Watchdog#now()} time */
    Watch(Watchdog watchdog, ExchangeLimits limits, long startNanos) {
        this.watchdog = watchdog;
        this.connectLimit = nanos(limits.connect());
        this.firstOutputLimit = nanos(limits.firstOutput());
        this.idleLimit = nanos(limits.idle());
        this.startNanos = startNanos;
        this.deadlineNanos = Watchdog.plus(startNanos, nanos(limits.untilDeadline()));
        this.lastActivityNanos = startNanos;
    }

    private static long nanos(java.time.Duration limit) {
        try {
            return limit.toNanos();
        } catch (ArithmeticException centuries) {
            return Long.MAX_VALUE;
        }
    }

    /** What an abort does: close the connection, from the watchdog's thread. */
    void onAbort(Runnable action) {
        this.abortAction = action;
    }

    void connected() {
        phase = Phase.CONNECTED;
    }

    void requestSending() {
        long now = Watchdog.now();
        sentNanos = now;
        phase = Phase.AWAITING_RESPONSE;
        // The first-output limit may be shorter than the connect limit the scheduled check was set for.
        watchdog.checkBy(Watchdog.plus(now, firstOutputLimit));
    }

    void responseStarted() {
        lastActivityNanos = Watchdog.now();
        phase = Phase.RECEIVING;
    }

    /** The response's framing leaves its end uncertain, or it asked to close: never pool the connection. */
    void notReusable() {
        reusable = false;
    }

    boolean reusable() {
        return reusable;
    }

    /** Brings the deadline forward to at most {@code nanos} from now, e.g. to bound reading a stream's last bytes. */
    void shortenDeadline(long nanos) {
        long now = Watchdog.now();
        long shortened = Watchdog.plus(now, nanos);
        if (shortened < deadlineNanos) {
            deadlineNanos = shortened;
            watchdog.checkBy(shortened);
        }
    }

    /** From now on the first-output limit no longer applies. */
    void outputSeen() {
        outputSeen = true;
    }

    void readStarted() {
        long now = Watchdog.now();
        lastActivityNanos = now;
        reading = true;
        // Usually later than the check already scheduled (the previous read's idle limit): a volatile read, no more.
        watchdog.checkBy(Watchdog.plus(now, idleLimit));
    }

    void readEnded() {
        reading = false;
        lastActivityNanos = Watchdog.now();
    }

    Phase phase() {
        return phase;
    }

    boolean hasSeenOutput() {
        return outputSeen;
    }

    /** How the watch ended, or null while it is active. */
    WatchEnd ending() {
        return end.get();
    }

    /**
     * Ends the watch if it is still active. The winner of an ending that closes the connection runs the abort action.
     *
     * @return whether this call ended it
     */
    boolean end(WatchEnd how) {
        if (!end.compareAndSet(null, how)) {
            return false;
        }
        watchdog.forget(this);
        if (how.closesConnection()) {
            try {
                abortAction.run();
            } catch (RuntimeException alreadyBroken) {
                // Closing a connection that is half-made or already closed may throw; it is closed either way.
            }
        }
        return true;
    }

    /** The watchdog's look at this exchange at {@code now}: ends it when a limit has passed. */
    void check(long now) {
        if (end.get() != null) {
            watchdog.forget(this);
            return;
        }
        WatchEnd expired = expired(now);
        if (expired != null) {
            end(expired);
        }
    }

    private WatchEnd expired(long now) {
        Phase current = phase;
        if (now >= deadlineNanos) {
            return WatchEnd.DEADLINE;
        }
        if (current == Phase.CONNECTING) {
            return now >= Watchdog.plus(startNanos, connectLimit) ? WatchEnd.CONNECT_TIMEOUT : null;
        }
        if (current == Phase.CONNECTED) {
            return null;
        }
        if (!outputSeen && now >= Watchdog.plus(sentNanos, firstOutputLimit)) {
            return WatchEnd.FIRST_OUTPUT_TIMEOUT;
        }
        // Idle is silence while we wait for the upstream; time the caller spends elsewhere is not its fault.
        if (current == Phase.RECEIVING && reading && now >= Watchdog.plus(lastActivityNanos, idleLimit)) {
            return WatchEnd.IDLE_TIMEOUT;
        }
        return null;
    }

    /**
     * The earliest moment ({@link Watchdog#now()} time) at which a limit can pass as things stand, or
     * {@link Watchdog#NONE} once the watch has ended. A state change that brings it earlier tells the watchdog itself.
     */
    long nextExpiry() {
        if (end.get() != null) {
            return Watchdog.NONE;
        }
        Phase current = phase;
        long next = deadlineNanos;
        if (current == Phase.CONNECTING) {
            return Math.min(next, Watchdog.plus(startNanos, connectLimit));
        }
        if (current == Phase.CONNECTED) {
            return next;
        }
        if (!outputSeen) {
            next = Math.min(next, Watchdog.plus(sentNanos, firstOutputLimit));
        }
        if (current == Phase.RECEIVING && reading) {
            next = Math.min(next, Watchdog.plus(lastActivityNanos, idleLimit));
        }
        return next;
    }
}
