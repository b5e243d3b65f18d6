package dev.tokenproxy.application.service;

import dev.tokenproxy.application.port.in.ReportUsageUseCase;
import dev.tokenproxy.domain.account.UsageSnapshot;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest usage windows each subscription credential reported. In memory: a restart forgets them, and the first
 * answer after it reports them again.
 */
public final class UsageBook implements ReportUsageUseCase {

    private final Map<CredentialKey, UsageSnapshot> latest = new ConcurrentHashMap<>();

    @Override
    public void report(CredentialKey credential, UsageSnapshot snapshot) {
        // Answers may arrive out of order: an older snapshot never replaces a newer one.
        latest.merge(credential, snapshot, (old, now) -> now.observedAt().isBefore(old.observedAt()) ? old : now);
    }

    public Optional<UsageSnapshot> latest(CredentialKey credential) {
        return Optional.ofNullable(latest.get(credential));
    }

    /** Until when the credential has used up a window, if it has. */
    public Optional<Instant> exhaustedUntil(CredentialKey credential) {
        return latest(credential).flatMap(UsageSnapshot::exhaustedUntil);
    }
}
