package dev.tokenproxy.adapter.out.upstream.codex;

import dev.tokenproxy.domain.account.UsageSnapshot;
import dev.tokenproxy.domain.account.UsageWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * The usage windows a Codex answer reports in its {@code x-codex-primary-*} and {@code x-codex-secondary-*} headers
 * (protocols §3, "Limits"): {@code used-percent}, {@code window-minutes}, and the reset as {@code reset-at} (epoch
 * seconds) or, as some clients read it, {@code reset-after-seconds}. Sent with 200 and 429 alike.
 */
final class CodexUsageHeaders {

    private CodexUsageHeaders() {
    }

    /**
     * @param header the answer's header by name
     * @param now    when the answer arrived: the snapshot's time and the base of a relative reset
     * @return the snapshot, or empty when the answer reports no window
     */
    static Optional<UsageSnapshot> read(Function<String, Optional<String>> header, Instant now) {
        Optional<UsageWindow> primary = window(header, "primary", now);
        Optional<UsageWindow> secondary = window(header, "secondary", now);
        if (primary.isEmpty() && secondary.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new UsageSnapshot(primary, secondary, now));
    }

    /** A window is reported when its used percentage is; the length and reset are optional. */
    private static Optional<UsageWindow> window(Function<String, Optional<String>> header, String name, Instant now) {
        String prefix = "x-codex-" + name + "-";
        Optional<Double> used = header.apply(prefix + "used-percent").flatMap(CodexUsageHeaders::decimal);
        if (used.isEmpty()) {
            return Optional.empty();
        }
        Optional<Duration> length = header.apply(prefix + "window-minutes").flatMap(CodexUsageHeaders::whole)
                .map(Duration::ofMinutes);
        Optional<Instant> resetsAt = header.apply(prefix + "reset-at").flatMap(CodexUsageHeaders::whole)
                .map(Instant::ofEpochSecond)
                .or(() -> header.apply(prefix + "reset-after-seconds").flatMap(CodexUsageHeaders::whole)
                        .map(now::plusSeconds));
        return Optional.of(new UsageWindow(used.get(), length, resetsAt));
    }

    private static Optional<Double> decimal(String value) {
        try {
            double parsed = Double.parseDouble(value.trim());
            return Double.isFinite(parsed) && parsed >= 0 ? Optional.of(parsed) : Optional.empty();
        } catch (NumberFormatException unreadable) {
            return Optional.empty();
        }
    }

    /** A whole number; a decimal one (some headers carry "3600.0") is cut to its whole part. */
    private static Optional<Long> whole(String value) {
        return decimal(value).map(Double::longValue);
    }
}
