package dev.tokenproxy.domain.account;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How much of one rate window of a subscription account is used, as the provider reported it (e.g. Codex's
 * {@code x-codex-primary-*} headers).
 *
 * @param usedPercent 0–100 (a provider may report slightly more than 100)
 * @param length      how long the window is, if reported
 * @param resetsAt    when the window starts over, if reported
 */
public record UsageWindow(double usedPercent, Optional<Duration> length, Optional<Instant> resetsAt) {
    public UsageWindow {
        Objects.requireNonNull(length, "length");
        Objects.requireNonNull(resetsAt, "resetsAt");
    }

    /** Used up: no request will succeed before the reset, so there is no point trying one. */
    public boolean exhausted() {
        return usedPercent >= 100.0;
    }
}
