package dev.tokenproxy.adapter.in.http.connection;

import dev.tokenproxy.adapter.in.http.connection.ConnectionPhase.AwaitingRequest;
import dev.tokenproxy.adapter.in.http.connection.ConnectionPhase.InRequest;
import dev.tokenproxy.adapter.in.http.connection.ConnectionPhase.ReceivingHeaders;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.spi.ServerConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One accepted connection as the guard sees it: Helidon's HTTP/1.1 connection, plus the phase it is in and whether
 * it is blocked reading from the client. The phase moves on socket reads (seen by {@link GuardedContext}) and on
 * the end of the request headers (seen by {@link ConnectionGuard}'s receive listener); the guard closes the
 * connection when the phase's deadline passes, or to make room for a new one.
 *
 * <p>Phase changes and closing happen under this object's lock, so the guard never closes a connection that has
 * just moved on to handling a request: a read that returns after the guard decided sees {@code closing} and ends
 * the connection instead of handing the bytes on.
 *
 * <p>It is an {@link InterruptableTask} only to pass on Helidon's "may I interrupt you" question: at shutdown,
 * Helidon interrupts the connections that say yes (idle ones) instead of waiting out the grace period for them.
 */
final class GuardedConnection implements ServerConnection, InterruptableTask<Void> {

    private final ConnectionGuard guard;
    private final Clock clock;
    private ServerConnection http1;
    private GuardedContext context;
    private ConnectionPhase phase;
    private boolean readPending;
    private boolean closing;

    GuardedConnection(ConnectionGuard guard, Clock clock) {
        this.guard = guard;
        this.clock = clock;
        this.phase = new AwaitingRequest(clock.instant());
    }

    /** The Helidon connection this one decorates; it reads through our context, so it is made after us. */
    void attach(ServerConnection http1Connection) {
        this.http1 = http1Connection;
    }

    /** {@link #attach(ServerConnection)}, and the context whose socket the request handlers may read a body from. */
    void attach(ServerConnection http1Connection, GuardedContext readingContext) {
        this.http1 = http1Connection;
        this.context = readingContext;
    }

    ServerConnection http1() {
        return http1;
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        // Helidon handles each request of an HTTP/1.1 connection on the thread that runs the connection.
        SocketBody.enter(context);
        try {
            http1.handle(limit);
        } finally {
            SocketBody.leave();
            guard.forget(this);
        }
    }

    /**
     * Called by the reader before it blocks on the socket.
     *
     * @return whether the read waits for a request to begin (not for more of one)
     */
    synchronized boolean readStarting() {
        if (closing) {
            throw closedByGuard();
        }
        // Helidon reads between requests only for the next request line: a read that starts there ends the last one.
        if (phase instanceof InRequest && http1ReadingRequestLine()) {
            phase = new AwaitingRequest(clock.instant());
        }
        readPending = true;
        return phase instanceof AwaitingRequest;
    }

    /** Whether this is the only open connection. */
    boolean alone() {
        return guard.openConnections() == 1;
    }

    /** Called by the reader when the socket returned {@code bytes} ({@code null} at end of stream). */
    void readReturned(byte[] bytes) {
        readReturned(bytes != null);
    }

    /** Called by a reader when the socket returned bytes or, with {@code gotBytes} false, the end of the stream. */
    synchronized void readReturned(boolean gotBytes) {
        readPending = false;
        if (closing) {
            throw closedByGuard();
        }
        if (gotBytes && phase instanceof AwaitingRequest) {
            phase = new ReceivingHeaders(clock.instant());
        }
    }

    /** Called by the reader when the socket read failed. */
    synchronized void readFailed() {
        readPending = false;
    }

    /** Called when Helidon has parsed the request headers, just before it routes the request. */
    synchronized void headersReceived() {
        phase = new InRequest(clock.instant());
    }

    synchronized ConnectionPhase phase() {
        return phase;
    }

    /** Closes the connection if its deadline has passed at {@code now}; whether it did. */
    synchronized boolean closeIfOverdue(Instant now, ConnectionLimits limits) {
        if (closing) {
            return false;
        }
        var deadline = phase.deadline(limits, readPending);
        if (deadline.isEmpty() || now.isBefore(deadline.get())) {
            return false;
        }
        closeNow();
        return true;
    }

    /**
     * Closes the connection to free its slot, unless a request is being handled on it; whether the slot is free now
     * (also when the connection was closing already).
     */
    synchronized boolean giveUpSlot() {
        if (closing) {
            return true;
        }
        return switch (phase) {
            case AwaitingRequest awaiting -> closeNow();
            case ReceivingHeaders receiving -> closeNow();
            case InRequest inRequest -> false;
        };
    }

    private boolean closeNow() {
        closing = true;
        // Interrupting the connection's virtual thread closes its socket, also when it is blocked reading.
        http1.close(true);
        return true;
    }

    private boolean http1ReadingRequestLine() {
        // Helidon's connection is interruptible exactly while it waits for the first line of the next request.
        return http1 instanceof InterruptableTask<?> task && task.canInterrupt();
    }

    /** The exception Helidon treats as "end this connection quietly". */
    private static CloseConnectionException closedByGuard() {
        return new CloseConnectionException("closed by the connection guard");
    }

    @Override
    public boolean canInterrupt() {
        return http1ReadingRequestLine();
    }

    @Override
    public Void call() {
        throw new UnsupportedOperationException("a connection runs through handle(Limit), not as a task");
    }

    /** Idle only while no request is in progress, so that Helidon's own idle check never cuts a long stream. */
    @Override
    public Duration idleTime() {
        return phase() instanceof AwaitingRequest awaiting
                ? Duration.between(awaiting.since(), clock.instant())
                : Duration.ZERO;
    }

    /** Helidon's own close: at shutdown, or from its idle check. */
    @Override
    public void close(boolean interrupt) {
        http1.close(interrupt);
    }
}
