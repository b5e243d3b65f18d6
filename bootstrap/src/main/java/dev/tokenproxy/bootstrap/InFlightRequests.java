package dev.tokenproxy.bootstrap;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Counts the requests being handled, so that a shutdown can tell whether its grace period was enough. When the
 * period ends Helidon interrupts whatever is left, so a request that ends after it, or not at all, was cut.
 * A filter, because a handler (streams included) runs inside {@link FilterChain#proceed()} until its response is
 * complete.
 */
public final class InFlightRequests implements Filter {

    private final Clock clock;
    private int active;
    private int endedAfterGrace;
    private Instant graceEnds;

    public InFlightRequests(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        began();
        try {
            chain.proceed();
        } finally {
            ended();
        }
    }

    /** The shutdown starts: from now on the requests in flight have {@code grace} to finish. */
    public synchronized void graceStarts(Duration grace) {
        graceEnds = clock.instant().plus(grace);
    }

    /** Requests that ended after the grace period, or are still running. */
    public synchronized int cut() {
        return endedAfterGrace + active;
    }

    private synchronized void began() {
        active++;
    }

    private synchronized void ended() {
        active--;
        if (graceEnds != null && clock.instant().isAfter(graceEnds)) {
            endedAfterGrace++;
        }
    }
}
