package dev.tokenproxy.application.service;

import dev.tokenproxy.application.port.in.ReportUsageUseCase;
import dev.tokenproxy.domain.account.UsageSnapshot;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest usage windows each subscription credential reported. In memory: a restart forgets them, and the first
 * answer after it reports them again.
 */
public final class UsageBook implements ReportUsageUseCase {

    private static final System.Logger LOG = System.getLogger(UsageBook.class.getName());

    private final Map<CredentialKey, UsageSnapshot> latest = new ConcurrentHashMap<>();

    @Override
    public void report(CredentialKey credential, UsageSnapshot snapshot) {
        // Answers may arrive out of order: an older snapshot never replaces a newer one.
        var previous = latest.get(credential);
        var kept = latest.merge(credential, snapshot,
                (old, now) -> now.observedAt().isBefore(old.observedAt()) ? old : now);
        boolean newlyExhausted = kept == snapshot && snapshot.exhaustedUntil().isPresent()
                && (previous == null || previous.exhaustedUntil().isEmpty());
        if (newlyExhausted) {
            LOG.log(Level.INFO, "{0} used up its usage window; not tried until {1}", credential,
                    snapshot.exhaustedUntil().get());
        }
    }

    public Optional<UsageSnapshot> latest(CredentialKey credential) {
        return Optional.ofNullable(latest.get(credential));
    }

    /** Until when the credential has used up a window, if it has. */
    public Optional<Instant> exhaustedUntil(CredentialKey credential) {
        return latest(credential).flatMap(UsageSnapshot::exhaustedUntil);
    }
}
