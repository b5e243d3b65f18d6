package dev.tokenproxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A format-neutral HTTP/1.1 server on a real loopback socket, answering each request with the {@link Script} a router
 * picks for it; the transport under every fake upstream. It speaks HTTP over raw sockets (one virtual thread per
 * connection, keep-alive supported, plain or TLS) because it must misbehave in ways an HTTP server library will not:
 * reset before the headers, never answer, stall mid-stream, write a second response nobody asked for.
 *
 * <p>It records every request, counts the connections it accepted and the ones whose client left mid-answer, and
 * lets a test wait for each of those counts with a guarded wait (woken by the event, never polling).
 */
public final class ScriptedHttpServer implements AutoCloseable {

    private final ServerSocket server;
    private final SSLContext tls;
    private final Function<RecordedRequest, Script> router;
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    /** Guards the request log and the counts below; notified whenever one of them grows. */
    private final Object monitor = new Object();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private int acceptedConnections;
    private int abandonedConnections;

    private ScriptedHttpServer(SSLContext tls, Function<RecordedRequest, Script> router) {
        this.tls = tls;
        this.router = Objects.requireNonNull(router, "router");
        try {
            // 127.0.0.1 rather than "localhost": a name may resolve to ::1 first, where nothing listens.
            this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on loopback", e);
        }
        Thread.ofVirtual().name("scripted-http-" + port() + "-accept").start(this::acceptConnections);
    }

    /**
     * Plain HTTP on 127.0.0.1 and an ephemeral port. {@code router} is called once per request, after the request is
     * read whole and before it is {@linkplain #requests() recorded}, one request at a time, so a router that keeps
     * state (queues of replies) sees requests in the order they are recorded.
     */
    public static ScriptedHttpServer start(Function<RecordedRequest, Script> router) {
        return new ScriptedHttpServer(null, router);
    }

    /** HTTPS on 127.0.0.1 and an ephemeral port, presenting {@code cert}; otherwise as {@link #start}. */
    public static ScriptedHttpServer startTls(TestTls.ServerCert cert, Function<RecordedRequest, Script> router) {
        return new ScriptedHttpServer(Objects.requireNonNull(cert, "cert").serverContext(), router);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT} ({@code https} with TLS), without a trailing slash. */
    public String origin() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port();
    }

    /** {@link #origin()} followed by {@code path}, which starts with a slash. */
    public String url(String path) {
        return origin() + path;
    }

    /** Every request received since the start or the last {@link #clearRequests()}, in arrival order. */
    public List<RecordedRequest> requests() {
        synchronized (monitor) {
            return List.copyOf(requests);
        }
    }

    public void clearRequests() {
        synchronized (monitor) {
            requests.clear();
        }
    }

    /** Waits until {@link #requests()} holds at least {@code n} requests; false if {@code timeout} passed first. */
    public boolean awaitRequestCount(int n, Duration timeout) throws InterruptedException {
        return await(() -> requests.size() >= n, timeout);
    }

    /** TCP connections accepted since the start: how often clients had to open a new one. */
    public int acceptedConnections() {
        synchronized (monitor) {
            return acceptedConnections;
        }
    }

    /** Waits until {@link #acceptedConnections()} reaches {@code n}; false if {@code timeout} passed first. */
    public boolean awaitAcceptedConnections(int n, Duration timeout) throws InterruptedException {
        return await(() -> acceptedConnections >= n, timeout);
    }

    /**
     * Connections whose client went away while a script was still playing: during a pause or a hold, or while a
     * body was being written. Lets tests prove that a client cancelled. Closing the server does not count.
     */
    public int abandonedConnections() {
        synchronized (monitor) {
            return abandonedConnections;
        }
    }

    /** Waits until {@link #abandonedConnections()} reaches {@code n}; false if {@code timeout} passed first. */
    public boolean awaitAbandonedConnections(int n, Duration timeout) throws InterruptedException {
        return await(() -> abandonedConnections >= n, timeout);
    }

    /** Stops listening and closes every connection, which releases scripts that pause or hold. */
    @Override
    public void close() {
        closing = true;
        closeQuietly(server);
        openSockets.forEach(ScriptedHttpServer::closeQuietly);
    }

    private void acceptConnections() {
        ThreadFactory connections = Thread.ofVirtual().name("scripted-http-" + port() + "-connection-", 1).factory();
        var host = new Host();
        while (!closing) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // close() closed the server socket
            }
            openSockets.add(socket);
            synchronized (monitor) {
                acceptedConnections++;
                monitor.notifyAll();
            }
            // close() may have run between accept() and add(); it would not have seen this socket.
            if (closing) {
                closeQuietly(socket);
                return;
            }
            connections.newThread(() -> {
                try {
                    new Connection(socket, tls, host).run();
                } finally {
                    openSockets.remove(socket);
                }
            }).start();
        }
    }

    /** Guarded wait on {@link #monitor}: no polling, woken by every change of what it guards. */
    private boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (!condition.getAsBoolean()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, remaining);
            }
            return true;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Already closed or broken: either way it is gone, which is all close() wants.
        }
    }

    /** What connections see of the server. */
    private final class Host implements Connection.Host {

        @Override
        public Script accept(RecordedRequest request) {
            synchronized (monitor) {
                // Routed before it is recorded: a test that waits for the request and then scripts the next reply
                // cannot have that reply taken by this request.
                try {
                    return Objects.requireNonNull(router.apply(request), "the router returned no script");
                } finally {
                    requests.add(request);
                    monitor.notifyAll();
                }
            }
        }

        @Override
        public void abandoned() {
            synchronized (monitor) {
                abandonedConnections++;
                monitor.notifyAll();
            }
        }

        @Override
        public boolean closing() {
            return closing;
        }
    }
}
