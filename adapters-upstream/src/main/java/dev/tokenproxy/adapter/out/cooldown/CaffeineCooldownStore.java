package dev.tokenproxy.adapter.out.cooldown;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokenproxy.application.port.out.CooldownStorePort;
import dev.tokenproxy.domain.cooldown.CooldownState;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Cooldowns in memory, each entry expiring on its own: it is kept for {@code memory} past its deadline so that a
 * failure of the half-open probe still doubles the next cooldown, then forgotten.
 */
public final class CaffeineCooldownStore implements CooldownStorePort {

    private final Cache<CredentialKey, CooldownState> cache;

    /**
     * @param clock  the clock the states' deadlines are measured with
     * @param ticker Caffeine's time source; must advance with {@code clock} (tests pass a matching fake)
     * @param memory how long an expired state is still remembered
     */
    public CaffeineCooldownStore(Clock clock, Ticker ticker, Duration memory) {
        this.cache = Caffeine.newBuilder()
                // Every request reads a state per candidate credential: cleaning up on the reading thread, a little
                // at a time, is cheaper than waking a common-pool thread for it again and again.
                .executor(Runnable::run)
                .ticker(ticker)
                .expireAfter(new UntilDeadlinePlusMemory(clock, memory))
                .build();
    }

    public static CaffeineCooldownStore systemTime(Duration memory) {
        return new CaffeineCooldownStore(Clock.systemUTC(), Ticker.systemTicker(), memory);
    }

    @Override
    public Optional<CooldownState> find(CredentialKey key) {
        return Optional.ofNullable(cache.getIfPresent(key));
    }

    @Override
    public void save(CredentialKey key, CooldownState state) {
        cache.put(key, state);
    }

    @Override
    public void clear(CredentialKey key) {
        // Every success clears its credential, and nearly always there is nothing to clear: a removal would still lock
        // the map's bin for it (0.6% of a request's CPU at 64 connections, benchmark.md, seventeenth pass), a read not.
        if (cache.getIfPresent(key) != null) {
            cache.invalidate(key);
        }
    }

    @Override
    public Map<CredentialKey, CooldownState> all() {
        return Map.copyOf(cache.asMap());
    }

    private record UntilDeadlinePlusMemory(Clock clock, Duration memory)
            implements Expiry<CredentialKey, CooldownState> {

        private long nanosToLive(CooldownState state) {
            Duration left = Duration.between(clock.instant(), state.until()).plus(memory);
            return left.isNegative() ? 0 : left.toNanos();
        }

        @Override
        public long expireAfterCreate(CredentialKey key, CooldownState state, long currentTime) {
            return nanosToLive(state);
        }

        @Override
        public long expireAfterUpdate(CredentialKey key, CooldownState state, long currentTime, long currentDuration) {
            return nanosToLive(state);
        }

        @Override
        public long expireAfterRead(CredentialKey key, CooldownState state, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
