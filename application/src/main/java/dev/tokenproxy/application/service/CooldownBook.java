package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.port.out.CooldownStorePort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import dev.tokenproxy.domain.cooldown.CooldownState;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Applies the cooldown rules of behaviour §5 to the cooldown store after each attempt. */
public final class CooldownBook {

    private final CooldownStorePort store;
    private final CooldownPolicy policy;
    private final Clock clock;

    public CooldownBook(CooldownStorePort store, CooldownPolicy policy, Clock clock) {
        this.store = store;
        this.policy = policy;
        this.clock = clock;
    }

    public boolean isCooling(CredentialKey key) {
        return coolingUntil(key).isPresent();
    }

    /** When the credential recovers, or empty when it is ready (or half-open: expired, awaiting its probe). */
    public Optional<Instant> coolingUntil(CredentialKey key) {
        return coolingUntil(key, clock.instant());
    }

    /** The same, at {@code now}: a caller asking for many credentials reads the clock once. */
    Optional<Instant> coolingUntil(CredentialKey key, Instant now) {
        return store.find(key).filter(s -> s.isCooling(now)).map(CooldownState::until);
    }

    /** The earliest recovery when every credential is cooling; empty when any is ready (or there are none). */
    public Optional<Instant> allCoolingUntil(List<Credential> credentials) {
        Instant earliest = null;
        for (var c : credentials) {
            var until = coolingUntil(c.key());
            if (until.isEmpty()) {
                return Optional.empty();
            }
            if (earliest == null || until.get().isBefore(earliest)) {
                earliest = until.get();
            }
        }
        return Optional.ofNullable(earliest);
    }

    /** Every credential cooling now, with its recovery time. */
    public java.util.Map<CredentialKey, Instant> coolingNow() {
        Instant now = clock.instant();
        var cooling = new java.util.HashMap<CredentialKey, Instant>();
        store.all().forEach((key, state) -> {
            if (state.isCooling(now)) {
                cooling.put(key, state.until());
            }
        });
        return cooling;
    }

    /**
     * The operator cleared the cooldown: usable at once, and the next failure starts from the base length again.
     *
     * @return whether it was cooling
     */
    public boolean clear(CredentialKey key) {
        boolean cooling = isCooling(key);
        store.clear(key);
        return cooling;
    }

    /**
     * Success closes a cooldown (the half-open probe passed); a retryable failure cools as its rule says.
     *
     * @return until when the credential now cools, if it does
     */
    public Optional<Instant> record(CredentialKey key, AttemptOutcome<?> outcome) {
        switch (outcome) {
            case AttemptOutcome.Success<?> s -> store.clear(key);
            case AttemptOutcome.Retryable<?> r -> {
                var previous = store.find(key).orElse(null);
                var next = policy.afterFailure(r.cooldown(), previous, clock.instant());
                if (next != null && next != previous) {
                    store.save(key, next);
                }
                return coolingUntil(key);
            }
            case AttemptOutcome.Fatal<?> f -> { }
            case AttemptOutcome.SkippedAuth<?> s -> { }
        }
        return Optional.empty();
    }
}
