package dev.tokenproxy.application.model;

import dev.tokenproxy.domain.failover.RoutingStrategy;
import java.time.Duration;
import java.util.Objects;

/**
 * Routing and timeout settings the failover loop obeys (configuration contract: {@code routing}, {@code timeouts}).
 *
 * @param sameUpstreamRetries in-place resends after a transient failure, per credential
 * @param requestDeadline     bounds all attempts of one request together
 */
public record GatewaySettings(RoutingStrategy strategy, RoutingStrategy accountStrategy, int sameUpstreamRetries,
                              Duration requestDeadline, AttemptTimeouts timeouts) {

    public static final GatewaySettings DEFAULTS = new GatewaySettings(RoutingStrategy.FILL_FIRST,
            RoutingStrategy.FILL_FIRST, 1, Duration.ofSeconds(300), AttemptTimeouts.DEFAULTS);

    public GatewaySettings {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(accountStrategy, "accountStrategy");
        Objects.requireNonNull(requestDeadline, "requestDeadline");
        Objects.requireNonNull(timeouts, "timeouts");
        if (requestDeadline.isNegative() || requestDeadline.isZero()) {
            throw new IllegalArgumentException("requestDeadline must be positive");
        }
        if (sameUpstreamRetries < 0) {
            throw new IllegalArgumentException("sameUpstreamRetries must be >= 0");
        }
    }
}
