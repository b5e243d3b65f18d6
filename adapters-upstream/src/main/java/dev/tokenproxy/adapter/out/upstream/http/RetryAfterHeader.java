package dev.tokenproxy.adapter.out.upstream.http;

import io.helidon.http.DateTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads an upstream's {@code Retry-After} value (RFC 9110 §10.2.3) into the wait it asks for: delay-seconds, or an
 * HTTP-date measured from the caller's clock. The domain only ever sees the resulting {@link Duration}.
 */
public final class RetryAfterHeader {

    private RetryAfterHeader() {
    }

    /** The wait {@code value} asks for, measured from {@code now}; empty when absent or unreadable. */
    public static Optional<Duration> parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        if (isDelaySeconds(v)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            } catch (NumberFormatException tooLarge) {
                return Optional.empty();
            }
        }
        try {
            // Helidon reads all three forms RFC 9110 §5.6.7 says a recipient must accept (IMF-fixdate, RFC 850,
            // asctime); the reference time places RFC 850's two-digit year within 50 years of our own clock.
            Instant at = DateTime.parse(v, now.atZone(ZoneOffset.UTC)).toInstant();
            Duration wait = Duration.between(now, at);
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException unreadable) {
            return Optional.empty();
        }
    }

    /** {@code 1*DIGIT}, ASCII only: {@link Long#parseLong} would also take other scripts' digits and a sign. */
    private static boolean isDelaySeconds(String v) {
        return v.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
