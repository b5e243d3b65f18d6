package dev.tokenproxy.domain.cooldown;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {

    /** Wednesday, 1 January 2025, midnight UTC. */
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void delaySecondsAreReadAsSeconds() {
        assertThat(RetryAfter.parse("120", NOW)).contains(Duration.ofSeconds(120));
    }

    @Test
    void delaySecondsAroundWhitespaceAreRead() {
        assertThat(RetryAfter.parse(" 7 ", NOW)).contains(Duration.ofSeconds(7));
    }

    @Test
    void zeroSecondsIsAZeroWait() {
        assertThat(RetryAfter.parse("0", NOW)).contains(Duration.ZERO);
    }

    @Test
    void anHttpDateNinetySecondsAheadIsANinetySecondWait() {
        assertThat(RetryAfter.parse("Wed, 01 Jan 2025 00:01:30 GMT", NOW)).contains(Duration.ofSeconds(90));
    }

    @Test
    void anHttpDateAheadByMoreThanADayIsReadInFull() {
        assertThat(RetryAfter.parse("Fri, 03 Jan 2025 00:00:00 GMT", NOW)).contains(Duration.ofDays(2));
    }

    @Test
    void anHttpDateInThePastIsAZeroWait() {
        assertThat(RetryAfter.parse("Tue, 31 Dec 2024 23:00:00 GMT", NOW)).contains(Duration.ZERO);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "soon", "-5", "1.5", "12s", "Wed, 32 Jan 2025 00:00:00 GMT",
            "99999999999999999999"})
    void anAbsentOrUnreadableValueIsNoHint(String value) {
        assertThat(RetryAfter.parse(value, NOW)).isEmpty();
    }

    /**
     * KNOWN DEFECT (minor, see report): RFC 9110 §5.6.7, cited by RetryAfter's Javadoc, says a recipient MUST
     * accept the obsolete RFC 850 and asctime HTTP-date forms too; only IMF-fixdate is read.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Wednesday, 01-Jan-25 00:01:30 GMT", "Wed Jan  1 00:01:30 2025"})
    void obsoleteHttpDateFormsAreReadToo(String value) {
        assertThat(RetryAfter.parse(value, NOW)).contains(Duration.ofSeconds(90));
    }

    @ParameterizedTest
    @CsvSource({
            "120000, 120",
            "90001, 91",
            "1, 1",
            "999, 1",
            "1000, 1",
            "1001, 2",
            "0, 1"})
    void headerSecondsRoundUpAndAreAtLeastOne(long millis, long expected) {
        assertThat(RetryAfter.headerSeconds(Duration.ofMillis(millis))).isEqualTo(expected);
    }

    /**
     * KNOWN DEFECT (edge case, see report): a whole negative wait clamps to 1, but a fractional negative wait
     * (e.g. -1.5 s, from a deadline that passed between two clock reads) gives 0 or a negative header value.
     */
    @ParameterizedTest
    @ValueSource(longs = {-500, -1500, -5000})
    void headerSecondsAreAtLeastOneEvenForAnAlreadyElapsedWait(long millis) {
        assertThat(RetryAfter.headerSeconds(Duration.ofMillis(millis))).isEqualTo(1);
    }
}
