package dev.tokenproxy.domain.cooldown;

import java.time.Duration;

/** A wait announced to a client in whole seconds, the only unit it can be told in. */
public final class WaitSeconds {

    private WaitSeconds() {
    }

    /**
     * {@code wait} rounded up, so that a client never comes back too early, and at least one, so that a wait that
     * has already elapsed (two clock reads apart) never tells it to come back at once.
     */
    public static long roundedUp(Duration wait) {
        long seconds = wait.toSeconds();
        boolean fraction = wait.minusSeconds(seconds).isPositive();
        return Math.max(fraction ? seconds + 1 : seconds, 1);
    }
}
