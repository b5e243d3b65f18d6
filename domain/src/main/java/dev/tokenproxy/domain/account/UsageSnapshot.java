package dev.tokenproxy.domain.account;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The usage windows one account reported with its latest answer: a short (primary) and a long (secondary) window.
 *
 * @param primary    the short window, if the provider reported one
 * @param secondary  the long window, if the provider reported one
 * @param observedAt when the answer that carried them arrived
 */
public record UsageSnapshot(Optional<UsageWindow> primary, Optional<UsageWindow> secondary, Instant observedAt) {
    public UsageSnapshot {
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(secondary, "secondary");
        Objects.requireNonNull(observedAt, "observedAt");
    }

    /**
     * Until when the account cannot serve because a window is used up: the latest reset among the exhausted
     * windows, empty when none is exhausted or an exhausted one gives no reset time (then the provider's own
     * 429 says how long, and the cooldown takes it from there).
     */
    public Optional<Instant> exhaustedUntil() {
        return java.util.stream.Stream.of(primary, secondary)
                .flatMap(Optional::stream)
                .filter(UsageWindow::exhausted)
                .flatMap(w -> w.resetsAt().stream())
                .max(Instant::compareTo);
    }
}
