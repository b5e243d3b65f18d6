package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.application.model.AttemptTimeouts;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The time limits of one exchange, all relative to its start.
 *
 * @param connect       TCP connect plus TLS handshake
 * @param firstOutput   from the request being sent to its first output (the caller says when that is)
 * @param idle          silence while the caller waits for more of the response
 * @param untilDeadline what is left of the request deadline
 */
public record ExchangeLimits(Duration connect, Duration firstOutput, Duration idle, Duration untilDeadline) {

    public ExchangeLimits {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(firstOutput, "firstOutput");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(untilDeadline, "untilDeadline");
        if (connect.isNegative() || connect.isZero() || firstOutput.isNegative() || firstOutput.isZero()
                || idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (untilDeadline.isNegative()) {
            untilDeadline = Duration.ZERO;
        }
    }

    public static ExchangeLimits of(AttemptTimeouts timeouts, Instant deadline, Instant now) {
        return new ExchangeLimits(timeouts.connect(), timeouts.firstOutput(), timeouts.idle(),
                Duration.between(now, deadline));
    }
}
