package dev.tokenproxy.domain.cooldown;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads an HTTP {@code Retry-After} value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
public final class RetryAfter {

    /** IMF-fixdate, then the obsolete RFC 850 and asctime forms, which RFC 9110 §5.6.7 says recipients must accept. */
    private static final List<DateTimeFormatter> HTTP_DATE_FORMATS = List.of(
            DateTimeFormatter.RFC_1123_DATE_TIME,
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss zzz", Locale.US),
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC));

    private RetryAfter() {
    }

    /** The wait the value asks for, measured from {@code now}; empty when absent or unreadable. */
    public static Optional<Duration> parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            } catch (NumberFormatException tooLarge) {
                return Optional.empty();
            }
        }
        for (DateTimeFormatter format : HTTP_DATE_FORMATS) {
            try {
                Instant at = ZonedDateTime.parse(v, format).toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notThisForm) {
                // try the next of the forms a recipient must accept
            }
        }
        return Optional.empty();
    }

    /** Whole seconds for a {@code Retry-After} header, rounded up so a client never comes back too early. */
    public static long headerSeconds(Duration wait) {
        long seconds = wait.toSeconds();
        long roundedUp = wait.minusSeconds(seconds).isNegative() || wait.minusSeconds(seconds).isZero()
                ? seconds : seconds + 1;
        return Math.max(roundedUp, 1);
    }
}
