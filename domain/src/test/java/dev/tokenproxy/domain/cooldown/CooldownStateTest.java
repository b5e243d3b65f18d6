package dev.tokenproxy.domain.cooldown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CooldownStateTest {

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void aStateCoolsUntilItsDeadlineAndIsHalfOpenFromThenOn() {
        var state = new CooldownState(NOW.plusSeconds(10), 1);

        assertThat(state.isCooling(NOW)).isTrue();
        assertThat(state.isCooling(NOW.plusMillis(9_999))).isTrue();
        assertThat(state.isCooling(NOW.plusSeconds(10))).isFalse();
        assertThat(state.isCooling(NOW.plusSeconds(11))).isFalse();
    }

    @Test
    void remainingCountsDownToZeroAndNeverBelow() {
        var state = new CooldownState(NOW.plusSeconds(10), 1);

        assertThat(state.remaining(NOW)).isEqualTo(Duration.ofSeconds(10));
        assertThat(state.remaining(NOW.plusSeconds(4))).isEqualTo(Duration.ofSeconds(6));
        assertThat(state.remaining(NOW.plusSeconds(60))).isEqualTo(Duration.ZERO);
    }

    @Test
    void aStateRecordsAtLeastOneFailure() {
        assertThatIllegalArgumentException().isThrownBy(() -> new CooldownState(NOW, 0));
    }

    @Test
    void aStateNeedsADeadline() {
        assertThatNullPointerException().isThrownBy(() -> new CooldownState(null, 1));
    }
}
