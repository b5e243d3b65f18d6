package dev.tokenproxy.adapter.out.upstream.http;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * Keep-alive connections, shared by every upstream. Each exchange holds its connection from the start (the watchdog
 * can close it in any phase), and a connection is reused only when it is provably quiet: a response that ended
 * exactly at its framing boundary (see {@link PooledConnection#release()}), and, when it is leased again, no byte and no
 * end of stream waiting in the socket. A stale byte would otherwise be read as the start of the next client's answer. Most recently
 * used first, so that connections the server may have closed meanwhile are the last to be tried.
 */
final class ConnectionPool implements AutoCloseable {

    /** As many as Helidon's client kept ({@code connection-cache-size}). */
    private static final int MAX_IDLE_PER_ENDPOINT = 256;
    /**
     * Idle connections older than this are closed rather than reused: servers drop idle keep-alive connections after
     * 5 s (Node.js) to 75 s (nginx), and the later the FIN, the likelier it races with our next request.
     */
    private static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Map<Endpoint, BlockingDeque<PooledConnection>> idle = new ConcurrentHashMap<>();
    private final SSLContext sslContext;

    /** @param sslContext the trust for https endpoints */
    ConnectionPool(SSLContext sslContext) {
        this.sslContext = sslContext;
    }

    /**
     * A connection to {@code endpoint} owned by {@code watch}: a quiet idle one, or a new one connected within
     * {@code connectTimeout} (unless {@code fresh} asks for a new one regardless).
     */
    PooledConnection lease(Endpoint endpoint, Duration connectTimeout, Watch watch, boolean fresh)
            throws IOException {
        BlockingDeque<PooledConnection> queue = idle.get(endpoint);
        if (queue == null) {
            queue = idle.computeIfAbsent(endpoint, k -> new LinkedBlockingDeque<>(MAX_IDLE_PER_ENDPOINT));
        }
        long now = System.nanoTime();
        closeExpired(queue, now);
        PooledConnection pooled;
        while (!fresh && (pooled = queue.pollFirst()) != null) {
            if (now - pooled.idleSince() < MAX_IDLE_NANOS && pooled.connection().isQuiet()) {
                pooled.lease(watch, true);
                return pooled;
            }
            pooled.close();
        }
        BlockingDeque<PooledConnection> home = queue;
        var created = new PooledConnection(new ChannelConnection(endpoint), released -> offer(home, released));
        created.lease(watch, false);
        created.connection().connect(connectTimeout, sslContext);
        return created;
    }

    /** The oldest connections sit at the tail: close those past the idle limit so their sockets do not linger. */
    private static void closeExpired(BlockingDeque<PooledConnection> queue, long now) {
        PooledConnection oldest;
        while ((oldest = queue.peekLast()) != null && now - oldest.idleSince() >= MAX_IDLE_NANOS) {
            if (queue.removeLastOccurrence(oldest)) {
                oldest.close();
            }
        }
    }

    private static boolean offer(BlockingDeque<PooledConnection> queue, PooledConnection pooled) {
        pooled.idleSince(System.nanoTime());
        return queue.offerFirst(pooled);
    }

    @Override
    public void close() {
        idle.values().forEach(queue -> {
            PooledConnection pooled;
            while ((pooled = queue.pollFirst()) != null) {
                pooled.close();
            }
        });
    }
}
