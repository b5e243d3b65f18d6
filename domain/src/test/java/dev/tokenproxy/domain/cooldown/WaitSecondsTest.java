package dev.tokenproxy.domain.cooldown;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WaitSecondsTest {

    @ParameterizedTest
    @CsvSource({
            "120000, 120",
            "90001, 91",
            "1, 1",
            "999, 1",
            "1000, 1",
            "1001, 2",
            "0, 1"})
    void roundUpAndAreAtLeastOne(long millis, long expected) {
        assertThat(WaitSeconds.roundedUp(Duration.ofMillis(millis))).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(longs = {-500, -1500, -5000})
    void areAtLeastOneEvenForAnAlreadyElapsedWait(long millis) {
        assertThat(WaitSeconds.roundedUp(Duration.ofMillis(millis))).isEqualTo(1);
    }
}
