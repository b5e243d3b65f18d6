package dev.tokenproxy.adapter.in.http.connection;

import java.time.Duration;
import java.util.Objects;

/**
 * What one inbound connection may cost the gateway: how many may be open at once, and how long a client may take
 * to send what it owes before the gateway closes the connection.
 *
 * @param maxConnections connections open at once; the one after that replaces the longest-idle connection, or is
 *                       refused when every connection is busy with a request
 * @param headerTimeout  from the first byte of a request to the end of its headers
 * @param bodyTimeout    from the end of the headers until the whole body has been received
 * @param idleTimeout    a connection with no request in progress (never sent one, or between keep-alive requests)
 */
public record ConnectionLimits(int maxConnections, Duration headerTimeout, Duration bodyTimeout,
                               Duration idleTimeout) {

    /**
     * Accepted sockets Helidon may hold beyond {@code maxConnections}: replaced and refused connections that are
     * still closing. Taken from the 256 descriptors the configuration keeps in reserve beyond two per connection,
     * so that accept() cannot run out of file descriptors.
     */
    static final int CLOSING_HEADROOM = 64;

    public ConnectionLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
        }
        requirePositive(headerTimeout, "headerTimeout");
        requirePositive(bodyTimeout, "bodyTimeout");
        requirePositive(idleTimeout, "idleTimeout");
    }

    private static void requirePositive(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + timeout);
        }
    }

    /** Sockets Helidon may accept at all; at this many it stops calling accept() until one closes. */
    int acceptCeiling() {
        return (int) Math.min(Integer.MAX_VALUE, (long) maxConnections + CLOSING_HEADROOM);
    }

    /** How often the reaper looks: a tenth of the shortest timeout, so a deadline is enforced within 10 % of it. */
    Duration sweepPeriod() {
        Duration shortest = headerTimeout;
        if (bodyTimeout.compareTo(shortest) < 0) {
            shortest = bodyTimeout;
        }
        if (idleTimeout.compareTo(shortest) < 0) {
            shortest = idleTimeout;
        }
        Duration tenth = shortest.dividedBy(10);
        Duration floor = Duration.ofMillis(20);
        Duration ceiling = Duration.ofSeconds(1);
        return tenth.compareTo(floor) < 0 ? floor : tenth.compareTo(ceiling) > 0 ? ceiling : tenth;
    }
}
