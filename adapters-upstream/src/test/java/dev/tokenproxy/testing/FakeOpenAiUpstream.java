package dev.tokenproxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;

/**
 * A scriptable OpenAI Chat Completions upstream on a real loopback socket, for adapter and end-to-end tests.
 * It speaks HTTP/1.1 over raw sockets (one virtual thread per connection, keep-alive supported) because it must
 * misbehave in ways an HTTP server library will not: reset before the headers, never answer, stall mid-stream.
 *
 * <p>{@code POST {baseUrl}/chat/completions} is answered by the next {@linkplain #script scripted} {@link Reply}
 * that matches the request's model and Bearer key, or else by the {@linkplain #defaultReply default reply}. Any other
 * method or path gets a 404 OpenAI error. Every request is recorded, whatever its path.
 */
public final class FakeOpenAiUpstream implements AutoCloseable {

    /** Matches any model or key in {@link #script}. */
    public static final String ANY = "*";

    private static final String CHAT_COMPLETIONS = "/v1/chat/completions";

    private final ServerSocket server;
    private final SSLContext tls;
    private final String scheme;
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger completionIds = new AtomicInteger();
    private final AtomicInteger acceptedConnections = new AtomicInteger();
    private volatile boolean closing;

    /** Guards the scripts, the request log and the abandoned count; notified when either of the last two grows. */
    private final Object monitor = new Object();
    private final Map<Selector, Deque<Reply>> scripts = new HashMap<>();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private int abandoned;
    private Reply defaultReply = Reply.ok("Hello from the fake upstream");

    /** Which requests a script answers; {@link #ANY} in a field matches every value, including none. */
    private record Selector(String model, String key) { }

    private FakeOpenAiUpstream(SSLContext tls) {
        this.tls = tls;
        this.scheme = tls == null ? "http" : "https";
        try {
            // 127.0.0.1 rather than "localhost": a name may resolve to ::1 first, where nothing listens.
            this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on loopback", e);
        }
        Thread.ofVirtual().name("fake-openai-" + port() + "-accept").start(this::acceptConnections);
    }

    /** Plain HTTP on 127.0.0.1 and an ephemeral port. */
    public static FakeOpenAiUpstream start() {
        return new FakeOpenAiUpstream(null);
    }

    /** HTTPS on 127.0.0.1 and an ephemeral port, presenting {@code cert}. */
    public static FakeOpenAiUpstream startTls(TestTls.ServerCert cert) {
        return new FakeOpenAiUpstream(Objects.requireNonNull(cert, "cert").serverContext());
    }

    /** {@code http://127.0.0.1:PORT/v1} ({@code https} with TLS); chat requests go to {@code {baseUrl}/chat/completions}. */
    public String baseUrl() {
        return scheme + "://127.0.0.1:" + port() + "/v1";
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * Queues replies for requests whose body {@code model} equals {@code model} and whose Bearer key equals
     * {@code key}, either being {@link #ANY}. Each reply is used once, in order. When several queues match, the most
     * specific wins: exact model and key, then exact model, then exact key, then {@code ANY}/{@code ANY}.
     */
    public FakeOpenAiUpstream script(String model, String key, Reply... replies) {
        var selector = new Selector(Objects.requireNonNull(model, "model"), Objects.requireNonNull(key, "key"));
        synchronized (monitor) {
            scripts.computeIfAbsent(selector, s -> new ArrayDeque<>()).addAll(Arrays.asList(replies));
        }
        return this;
    }

    /** The reply for a chat request that no script matches; initially {@code Reply.ok("Hello from the fake upstream")}. */
    public FakeOpenAiUpstream defaultReply(Reply reply) {
        synchronized (monitor) {
            defaultReply = Objects.requireNonNull(reply, "reply");
        }
        return this;
    }

    /** Every request received since the start or the last {@link #clearRequests()}, in arrival order. */
    public List<RecordedRequest> requests() {
        synchronized (monitor) {
            return List.copyOf(requests);
        }
    }

    public List<RecordedRequest> requestsWithKey(String key) {
        return requests().stream().filter(request -> Objects.equals(request.bearerKey(), key)).toList();
    }

    /** TCP connections accepted since start: how often the client had to open a new one. */
    public int acceptedConnections() {
        return acceptedConnections.get();
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

    /**
     * Connections whose client went away while a reply was still in progress: during a stall, a
     * {@link Reply#noAnswer()}, a slow first token, or while a stream was being written. Lets tests prove that the
     * client cancelled. Closing the fake does not count.
     */
    public int abandonedConnections() {
        synchronized (monitor) {
            return abandoned;
        }
    }

    /** Waits until {@link #abandonedConnections()} reaches {@code n}; false if {@code timeout} passed first. */
    public boolean awaitAbandonedConnections(int n, Duration timeout) throws InterruptedException {
        return await(() -> abandoned >= n, timeout);
    }

    /** Waits until at least one client has abandoned a reply since the start; false if {@code timeout} passed first. */
    public boolean awaitClientDisconnect(Duration timeout) throws InterruptedException {
        return awaitAbandonedConnections(1, timeout);
    }

    /** Stops listening and closes every connection, which releases replies that stall or never answer. */
    @Override
    public void close() {
        closing = true;
        closeQuietly(server);
        openSockets.forEach(FakeOpenAiUpstream::closeQuietly);
    }

    private void acceptConnections() {
        ThreadFactory connections = Thread.ofVirtual().name("fake-openai-" + port() + "-connection-", 1).factory();
        var host = new Host();
        while (!closing) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // close() closed the server socket
            }
            openSockets.add(socket);
            acceptedConnections.incrementAndGet();
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

    /** Guarded wait on {@link #monitor}: no polling, woken by every request and abandonment. */
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

    /** What connections see of the fake. */
    private final class Host implements Connection.Host {

        @Override
        public Reply accept(RecordedRequest request) {
            synchronized (monitor) {
                requests.add(request);
                monitor.notifyAll();
                if (!"POST".equals(request.method()) || !CHAT_COMPLETIONS.equals(pathOf(request))) {
                    return Reply.error(404, "invalid_request_error", "unknown_url",
                            "Unknown request URL: " + request.method() + " " + request.path());
                }
                return nextScripted(request);
            }
        }

        @Override
        public ChatFrames framesFor(RecordedRequest request) {
            return new ChatFrames("chatcmpl-fake-" + completionIds.incrementAndGet(),
                    Instant.now().getEpochSecond(), request);
        }

        @Override
        public void abandoned() {
            synchronized (monitor) {
                abandoned++;
                monitor.notifyAll();
            }
        }

        @Override
        public boolean closing() {
            return closing;
        }

        /** Callers hold {@link #monitor}. */
        private Reply nextScripted(RecordedRequest request) {
            List<Selector> mostSpecificFirst = List.of(
                    new Selector(request.model(), request.bearerKey()),
                    new Selector(request.model(), ANY),
                    new Selector(ANY, request.bearerKey()),
                    new Selector(ANY, ANY));
            for (Selector selector : mostSpecificFirst) {
                Deque<Reply> queue = scripts.get(selector);
                if (queue != null && !queue.isEmpty()) {
                    return queue.poll();
                }
            }
            return defaultReply;
        }

        private static String pathOf(RecordedRequest request) {
            int query = request.path().indexOf('?');
            return query < 0 ? request.path() : request.path().substring(0, query);
        }
    }
}
