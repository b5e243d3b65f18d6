package dev.tokenproxy.adapter.out.upstream.http;

import io.helidon.webclient.api.ConnectionKey;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections, shared by every upstream. We keep our own pool instead of Helidon's so that each exchange
 * holds its connection from the start (the watchdog can close it in any phase) and so that a connection is reused
 * only when it is provably quiet: a response that ended exactly at its framing boundary (see
 * {@link PooledConnection#mayReturnToPool()}), and at lease no byte and no end of stream waiting in the socket. A
 * stale byte would otherwise be read as the start of the next client's answer. Most recently used first, so that
 * connections the server may have closed meanwhile are the last to be tried.
 */
final class ConnectionPool implements AutoCloseable {

    /** Helidon's default {@code connection-cache-size}. */
    private static final int MAX_IDLE_PER_ENDPOINT = 256;
    /**
     * Idle connections older than this are closed rather than reused: servers drop idle keep-alive connections after
     * 5 s (Node.js) to 75 s (nginx), and the later the FIN, the likelier it races with our next request.
     */
    private static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Map<ConnectionKey, BlockingDeque<PooledConnection>> idle = new ConcurrentHashMap<>();

    /**
     * A connection to {@code key} owned by {@code watch}: a quiet idle one, or a new one connected within
     * {@code connectTimeout} (unless {@code fresh} asks for a new one regardless).
     */
    PooledConnection lease(ConnectionKey key, Duration connectTimeout, Watch watch, boolean fresh) {
        BlockingDeque<PooledConnection> queue =
                idle.computeIfAbsent(key, k -> new LinkedBlockingDeque<>(MAX_IDLE_PER_ENDPOINT));
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
        var created = new PooledConnection();
        created.attach(new ChannelConnection(key, connection -> created.mayReturnToPool() && offer(queue, created)));
        created.lease(watch, false);
        created.connection().connect(connectTimeout);
        created.connection().expectResponse();
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

    /** How many connections to {@code key} wait in the pool (for tests and metrics). */
    int idleCount(ConnectionKey key) {
        var queue = idle.get(key);
        return queue == null ? 0 : queue.size();
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
