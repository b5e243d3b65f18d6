package dev.tokenproxy.adapter.out.upstream.http;

import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * Keep-alive connections, shared by every upstream. We keep our own pool instead of Helidon's so that each exchange
 * holds its connection from the start and the watchdog can close it in any phase, even before response headers.
 * Same rules as Helidon's {@code Http1ConnectionCache}: a returned connection is watched for the server closing it
 * ({@code HelidonSocket.idle()}), a dead one is discarded on lease. Most recently used first, so that idle connections
 * the server may have closed meanwhile are the last to be tried.
 */
final class ConnectionPool implements AutoCloseable {

    /** Helidon's default {@code connection-cache-size}. */
    private static final int MAX_IDLE_PER_ENDPOINT = 256;
    private static final List<String> ALPN_HTTP_1_1 = List.of("http/1.1");

    private final Map<ConnectionKey, BlockingDeque<PooledConnection>> idle = new ConcurrentHashMap<>();

    /**
     * A connection to {@code key} owned by {@code watch}: an idle one, or a new one connected with the socket
     * options (connect timeout, TCP_NODELAY) of {@code connector}.
     */
    PooledConnection lease(ConnectionKey key, WebClient connector, Watch watch) {
        BlockingDeque<PooledConnection> queue =
                idle.computeIfAbsent(key, k -> new LinkedBlockingDeque<>(MAX_IDLE_PER_ENDPOINT));
        PooledConnection pooled;
        while ((pooled = queue.pollFirst()) != null) {
            if (pooled.connection().isConnected()) {
                pooled.lease(watch);
                return pooled;
            }
            pooled.close();
        }
        var fresh = new PooledConnection();
        fresh.attach(TcpClientConnection.create(connector, key, ALPN_HTTP_1_1,
                connection -> fresh.mayReturnToPool() && offer(queue, fresh),
                connection -> { }));
        fresh.lease(watch);
        fresh.connection().connect();
        return fresh;
    }

    private static boolean offer(BlockingDeque<PooledConnection> queue, PooledConnection pooled) {
        // Watch for the server closing it while idle; must happen before another thread can lease it.
        pooled.connection().helidonSocket().idle();
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
