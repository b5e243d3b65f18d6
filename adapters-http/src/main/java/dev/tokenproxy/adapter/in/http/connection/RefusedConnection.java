package dev.tokenproxy.adapter.in.http.connection;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A connection over the limit while every other connection is busy with a request: it gets a 503 in the OpenAI
 * error shape and is closed at once, without its request being read.
 */
final class RefusedConnection implements ServerConnection {

    private static final byte[] BODY = ("{\"error\":{\"message\":\"The gateway has reached its connection limit; "
            + "retry shortly.\",\"type\":\"api_error\",\"param\":null,\"code\":\"too_many_connections\"}}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] RESPONSE = concat(("HTTP/1.1 503 Service Unavailable\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: " + BODY.length + "\r\n"
            + "Retry-After: 1\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII), BODY);

    private final ConnectionContext ctx;

    RefusedConnection(ConnectionContext ctx) {
        this.ctx = ctx;
    }

    private static byte[] concat(byte[] head, byte[] body) {
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    @Override
    public void handle(Limit limit) {
        try {
            // A fresh socket's send buffer takes these few hundred bytes without blocking.
            ctx.dataWriter().writeNow(BufferData.create(RESPONSE));
        } catch (RuntimeException e) {
            // The client is gone already; returning closes the socket either way.
        }
    }

    @Override
    public Duration idleTime() {
        return Duration.ZERO;
    }

    @Override
    public void close(boolean interrupt) {
        // handle() returns at once; there is nothing to stop.
    }
}
