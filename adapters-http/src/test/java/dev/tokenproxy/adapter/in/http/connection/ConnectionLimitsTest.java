package dev.tokenproxy.adapter.in.http.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void refusesFewerThanOneConnection() {
        assertThatThrownBy(() -> new ConnectionLimits(0, SECOND, SECOND, SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections");
    }

    @Test
    void refusesATimeoutThatIsNotPositive() {
        assertThatThrownBy(() -> new ConnectionLimits(1, Duration.ZERO, SECOND, SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headerTimeout");
        assertThatThrownBy(() -> new ConnectionLimits(1, SECOND, SECOND.negated(), SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bodyTimeout");
    }

    @Test
    void helidonMayAcceptAFewSocketsMoreThanTheLimitForThoseStillClosing() {
        assertThat(new ConnectionLimits(50, SECOND, SECOND, SECOND).acceptCeiling())
                .isEqualTo(50 + ConnectionLimits.CLOSING_HEADROOM);
    }

    @Test
    void theReaperLooksTenTimesPerShortestTimeoutWithinBounds() {
        assertThat(new ConnectionLimits(1, SECOND, Duration.ofSeconds(60), Duration.ofSeconds(60)).sweepPeriod())
                .isEqualTo(Duration.ofMillis(100));
        assertThat(new ConnectionLimits(1, Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofSeconds(60))
                .sweepPeriod()).isEqualTo(SECOND);
    }
}
