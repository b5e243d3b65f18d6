package dev.tokenproxy.adapter.in.http.connection;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.spi.ServerConnection;
import java.time.Duration;

/**
 * Stands in for Helidon's HTTP/1.1 connection: says whether it waits for a request line (as Helidon's does through
 * {@code canInterrupt()}) and records how it was closed.
 */
final class FakeHttp1Connection implements ServerConnection, InterruptableTask<Void> {

    volatile boolean waitingForRequestLine = true;
    private volatile boolean interrupted;
    private volatile boolean closed;

    @Override
    public void handle(Limit limit) {
    }

    @Override
    public Duration idleTime() {
        return Duration.ZERO;
    }

    @Override
    public void close(boolean interrupt) {
        closed = true;
        interrupted |= interrupt;
    }

    /** Closed with its thread interrupted, which is how the guard closes a connection. */
    boolean closedByInterrupt() {
        return closed && interrupted;
    }

    @Override
    public boolean canInterrupt() {
        return waitingForRequestLine;
    }

    @Override
    public Void call() {
        throw new UnsupportedOperationException();
    }
}
