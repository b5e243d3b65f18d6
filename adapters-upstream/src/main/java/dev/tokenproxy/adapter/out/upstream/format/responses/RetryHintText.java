package dev.tokenproxy.adapter.out.upstream.format.responses;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The wait an OpenAI rate-limit message names in prose ("Please try again in 11.5s", "in 20ms", "in 1m30s"): a
 * failed response has no {@code Retry-After} header, so its message is the only place the delay is given.
 */
public final class RetryHintText {

    /** "try again in" and a duration of number+unit pieces, as OpenAI writes them (Go duration style). */
    private static final Pattern HINT = Pattern.compile("try again in ((?:\\d+(?:\\.\\d+)?(?:ms|h|m|s))+)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern PIECE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");

    private RetryHintText() {
    }

    /** @return the wait named in {@code message}, or empty when it names none */
    public static Optional<Duration> parse(String message) {
        if (message == null) {
            return Optional.empty();
        }
        Matcher hint = HINT.matcher(message);
        if (!hint.find()) {
            return Optional.empty();
        }
        Matcher piece = PIECE.matcher(hint.group(1).toLowerCase(java.util.Locale.ROOT));
        BigDecimal millis = BigDecimal.ZERO;
        while (piece.find()) {
            BigDecimal amount = new BigDecimal(piece.group(1));
            long unitMillis = switch (piece.group(2)) {
                case "h" -> 3_600_000L;
                case "m" -> 60_000L;
                case "s" -> 1_000L;
                default -> 1L;
            };
            millis = millis.add(amount.multiply(BigDecimal.valueOf(unitMillis)));
        }
        return Optional.of(Duration.ofMillis(millis.setScale(0, java.math.RoundingMode.CEILING).longValueExact()));
    }
}
