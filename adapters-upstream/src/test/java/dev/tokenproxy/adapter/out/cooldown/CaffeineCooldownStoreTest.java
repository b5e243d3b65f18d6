package dev.tokenproxy.adapter.out.cooldown;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokenproxy.domain.cooldown.CooldownState;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CaffeineCooldownStoreTest {

    private static final Instant START = Instant.parse("2026-11-29T10:00:00Z");
    private static final CredentialKey KEY = new CredentialKey("openai-main", "key-1");
    private static final Duration MEMORY = Duration.ofSeconds(60);

    /** One time source for both the clock and Caffeine's ticker, advanced by the test. */
    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return START.plusNanos(nanos.get());
        }
    };
    private final CaffeineCooldownStore store = new CaffeineCooldownStore(clock, ticker, MEMORY);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void keepsAStateUntilItsDeadlinePlusTheMemoryThenForgetsIt() {
        store.save(KEY, new CooldownState(START.plusSeconds(10), 2));

        advance(Duration.ofSeconds(69));
        assertThat(store.find(KEY)).as("expired but still remembered for doubling")
                .contains(new CooldownState(START.plusSeconds(10), 2));

        advance(Duration.ofSeconds(2));
        assertThat(store.find(KEY)).isEmpty();
    }

    @Test
    void aLaterSaveExtendsTheEntrysLife() {
        store.save(KEY, new CooldownState(START.plusSeconds(10), 1));
        advance(Duration.ofSeconds(30));
        store.save(KEY, new CooldownState(START.plusSeconds(300), 2));

        advance(Duration.ofSeconds(100));

        assertThat(store.find(KEY)).map(CooldownState::consecutiveFailures).contains(2);
    }

    @Test
    void clearForgetsAtOnceAndAllListsWhatIsRemembered() {
        var other = new CredentialKey("openai-main", "key-2");
        store.save(KEY, new CooldownState(START.plusSeconds(10), 1));
        store.save(other, new CooldownState(START.plusSeconds(20), 1));

        store.clear(KEY);

        assertThat(store.find(KEY)).isEmpty();
        assertThat(store.all()).containsOnlyKeys(other);
    }
}
