package dev.tokenproxy.adapter.in.http.connection;

import dev.tokenproxy.adapter.in.http.connection.ConnectionPhase.AwaitingRequest;
import dev.tokenproxy.adapter.in.http.connection.ConnectionPhase.InRequest;
import dev.tokenproxy.adapter.in.http.connection.ConnectionPhase.ReceivingHeaders;
import dev.tokenproxy.application.port.out.CarrierTurns;
import io.helidon.http.Headers;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Knows every open inbound connection, and keeps what one client can hold bounded: at most
 * {@code maxConnections} at once, and no connection kept open by a client that sends its request too slowly or
 * not at all (see {@link ConnectionPhase} for the deadlines).
 *
 * <p>At the limit a new connection replaces the connection that has waited longest without a request in progress
 * (an idle keep-alive connection, or one that never completed its headers); when every connection is handling a
 * request, the new one gets a 503 and is closed. Helidon's own accept limit sits a little above ours, so that
 * accept() can never fail for lack of file descriptors, which would stop the listener for good.
 */
public final class ConnectionGuard implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ConnectionGuard.class.getName());
    private static final Duration REPORT_EVERY = Duration.ofMinutes(1);

    private final ConnectionLimits limits;
    private final Clock clock;
    private final CarrierTurns turns;
    private final Set<GuardedConnection> open = new HashSet<>();
    /** {@code open.size()}, readable without the lock: each connection asks it before it waits for a request. */
    private volatile int openCount;
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().daemon().name("connection-guard-reaper").unstarted(task));
    private long replaced;
    private long refused;
    private long overdue;
    private Instant nextReport;

    public ConnectionGuard(ConnectionLimits limits, Clock clock) {
        this(limits, clock, CarrierTurns.NONE);
    }

    /** @param turns what a connection does before it waits for its client's next request (ADR 0023) */
    public ConnectionGuard(ConnectionLimits limits, Clock clock, CarrierTurns turns) {
        this.limits = limits;
        this.clock = clock;
        this.turns = turns;
        this.nextReport = clock.instant().plus(REPORT_EVERY);
    }

    /**
     * Makes {@code listener} hand every connection to this guard: our HTTP/1.1 selector as its only one, and
     * Helidon's accept limit just above {@code maxConnections}.
     */
    public void configure(ListenerConfig.BuilderBase<?, ?> listener) {
        var http1 = Http1ConnectionSelector.builder()
                .config(Http1Config.builder().addReceiveListener(new HeadersListener()).build())
                .build();
        listener.protocolsDiscoverServices(false)
                .clearProtocols()
                .clearConnectionSelectors()
                .addConnectionSelector(new GuardedHttp1Selector(this, http1))
                // Helidon takes a permit before each accept(): past this many sockets it waits instead of failing.
                .maxTcpConnections(limits.acceptCeiling())
                // Helidon's own idle check agrees with ours (and sees streams as busy, see GuardedConnection).
                .idleConnectionTimeout(limits.idleTimeout())
                // Helidon's NIO socket keeps a fixed 8 KiB read and a fixed 8 KiB write buffer per connection for
                // its whole life; its plain socket only the read one. At 1,000 open streams that is 8 MB of heap.
                .useNio(false)
                // A streamed response writes each chunk whole and flushes it (ForwardResultWriter), so Helidon's
                // 4 KiB response buffer would only copy it, and be held for the stream's whole life.
                .writeBufferSize(0);
    }

    /** Starts the reaper, the one thread that closes connections past their deadline. */
    public void start() {
        long period = limits.sweepPeriod().toMillis();
        reaper.scheduleWithFixedDelay(this::sweepQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        reaper.shutdownNow();
    }

    /** What a connection does before it waits for its client's next request. */
    CarrierTurns turns() {
        return turns;
    }

    /** Connections open now (admitted and not yet finished). */
    public int openConnections() {
        return openCount;
    }

    /** Closes every connection whose deadline has passed; the reaper calls this on a schedule. */
    public void sweep() {
        Instant now = clock.instant();
        List<GuardedConnection> overdueNow = new ArrayList<>();
        for (GuardedConnection connection : snapshot()) {
            if (connection.closeIfOverdue(now, limits)) {
                overdueNow.add(connection);
            }
        }
        synchronized (this) {
            overdueNow.forEach(open::remove);
            openCount = open.size();
            overdue += overdueNow.size();
            if (!now.isBefore(nextReport)) {
                report();
                nextReport = now.plus(REPORT_EVERY);
            }
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // A failed sweep must not end the schedule: the next one may well succeed.
            LOG.log(Level.WARNING, "connection guard sweep failed", e);
        }
    }

    GuardedConnection newConnection() {
        return new GuardedConnection(this, clock);
    }

    /** Takes {@code connection} in, making room if needed; false when there is none to make. */
    synchronized boolean admit(GuardedConnection connection) {
        while (open.size() >= limits.maxConnections()) {
            GuardedConnection victim = longestWaiting();
            if (victim == null) {
                refused++;
                return false;
            }
            // The victim may have started a request since we looked: then it stays, busy, and we look again.
            if (victim.giveUpSlot()) {
                open.remove(victim);
                openCount = open.size();
                replaced++;
            }
        }
        open.add(connection);
        openCount = open.size();
        return true;
    }

    synchronized void forget(GuardedConnection connection) {
        open.remove(connection);
        openCount = open.size();
    }

    private synchronized List<GuardedConnection> snapshot() {
        return new ArrayList<>(open);
    }

    /**
     * The connection to give up first: the one silent longest without a request, else the one slowest with its
     * headers; never one handling a request.
     */
    private GuardedConnection longestWaiting() {
        GuardedConnection idlest = null;
        Instant idleSince = Instant.MAX;
        GuardedConnection slowest = null;
        Instant headersSince = Instant.MAX;
        for (GuardedConnection candidate : open) {
            switch (candidate.phase()) {
                case AwaitingRequest awaiting -> {
                    if (awaiting.since().isBefore(idleSince)) {
                        idlest = candidate;
                        idleSince = awaiting.since();
                    }
                }
                case ReceivingHeaders receiving -> {
                    if (receiving.since().isBefore(headersSince)) {
                        slowest = candidate;
                        headersSince = receiving.since();
                    }
                }
                case InRequest inRequest -> {
                    // busy: a request is being handled, its client is owed a response
                }
            }
        }
        return idlest != null ? idlest : slowest;
    }

    /** One line a minute at most, so that a flood cannot flood the log as well. */
    private void report() {
        if (replaced + refused + overdue == 0) {
            return;
        }
        LOG.log(Level.WARNING, "connection guard, last minute: " + replaced + " idle connections replaced and "
                + refused + " refused at the limit of " + limits.maxConnections() + ", " + overdue
                + " closed for sending their request too slowly or not at all");
        replaced = 0;
        refused = 0;
        overdue = 0;
    }

    /** Moves a connection on to {@link InRequest} when Helidon has parsed its request headers. */
    private static final class HeadersListener implements Http1ConnectionListener {
        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            if (ctx instanceof GuardedContext guarded) {
                guarded.connection().headersReceived();
            }
        }
    }
}
