package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterHeaderTest {

    /** Wednesday, 1 January 2025, midnight UTC. */
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void delaySecondsAreReadAsSeconds() {
        assertThat(RetryAfterHeader.parse("120", NOW)).contains(Duration.ofSeconds(120));
    }

    @Test
    void delaySecondsAroundWhitespaceAreRead() {
        assertThat(RetryAfterHeader.parse(" 7 ", NOW)).contains(Duration.ofSeconds(7));
    }

    @Test
    void zeroSecondsIsAZeroWait() {
        assertThat(RetryAfterHeader.parse("0", NOW)).contains(Duration.ZERO);
    }

    @Test
    void theLargestDelayThatFitsIsReadInFull() {
        assertThat(RetryAfterHeader.parse("9223372036854775807", NOW))
                .contains(Duration.ofSeconds(Long.MAX_VALUE));
    }

    /** IMF-fixdate, RFC 850 and asctime: RFC 9110 §5.6.7 says a recipient must accept all three. */
    @ParameterizedTest
    @ValueSource(strings = {"Wed, 01 Jan 2025 00:01:30 GMT", "Wednesday, 01-Jan-25 00:01:30 GMT",
            "Wed Jan  1 00:01:30 2025"})
    void everyHttpDateFormIsReadAsTheWaitUntilThatMoment(String value) {
        assertThat(RetryAfterHeader.parse(value, NOW)).contains(Duration.ofSeconds(90));
    }

    @Test
    void anHttpDateAheadByMoreThanADayIsReadInFull() {
        assertThat(RetryAfterHeader.parse("Fri, 03 Jan 2025 00:00:00 GMT", NOW)).contains(Duration.ofDays(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Tue, 31 Dec 2024 23:00:00 GMT", "Tuesday, 31-Dec-24 23:00:00 GMT",
            "Tue Dec 31 23:00:00 2024"})
    void anHttpDateInThePastIsAZeroWait(String value) {
        assertThat(RetryAfterHeader.parse(value, NOW)).contains(Duration.ZERO);
    }

    /** The two-digit year is placed near the clock we were given, not near the machine's calendar. */
    @Test
    void anRfc850YearIsReadAgainstTheGivenClock() {
        Instant in2090 = Instant.parse("2090-01-01T00:00:00Z");

        assertThat(RetryAfterHeader.parse("Sunday, 01-Jan-90 00:01:30 GMT", in2090))
                .contains(Duration.ofSeconds(90));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "soon", "-5", "+5", "1.5", "12s", "\u0661\u0662\u0660",
            "Wed, 32 Jan 2025 00:00:00 GMT", "Thu, 01 Jan 2025 00:01:30 GMT", "99999999999999999999"})
    void anAbsentOrUnreadableValueIsNoHint(String value) {
        assertThat(RetryAfterHeader.parse(value, NOW)).isEmpty();
    }
}
