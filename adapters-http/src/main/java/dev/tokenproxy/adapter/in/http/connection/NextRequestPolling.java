package dev.tokenproxy.adapter.in.http.connection;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

/**
 * Looks for a lone client's next request for a few tens of microseconds before the connection's thread parks on its
 * socket (ADR 0017). A parked read is woken by the JDK's poller thread, and on an idle machine that means waking a
 * sleeping core and two threads: at one client sending one request after another, that was ~60 µs of the ~120 µs the
 * gateway added to each answer (docs/benchmark.md, tenth pass). The upstream side polls for a nearby answer the same
 * way (ADR 0016).
 *
 * <p>Helidon's plain socket offers no way to ask whether bytes are waiting, so the JDK socket under it is read from
 * its private field once per connection; when that fails (TLS, or a Helidon that keeps its socket elsewhere), the
 * connection simply parks as before.
 */
final class NextRequestPolling {

    /** About a client's turnaround on the same machine; short beside the time a client waits for any model. */
    static final long WINDOW_NANOS = TimeUnit.MICROSECONDS.toNanos(60);

    private static final Field PLAIN_SOCKET = plainSocketField();

    private NextRequestPolling() {
    }

    /**
     * What to poll for {@code socket}'s incoming bytes: the stream of the JDK socket under Helidon's, or null when
     * there is none to poll (TLS: its stream counts only decrypted bytes).
     */
    static InputStream pollable(HelidonSocket socket) {
        if (PLAIN_SOCKET == null || !(socket instanceof PlainSocket)) {
            return null;
        }
        try {
            Socket jdkSocket = (Socket) PLAIN_SOCKET.get(socket);
            return jdkSocket instanceof SSLSocket ? null : jdkSocket.getInputStream();
        } catch (IllegalAccessException | IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Returns once bytes are waiting in {@code in}, {@code windowNanos} have passed, or the thread is interrupted (the
     * guard closing the connection). Yields between looks, so that another connection's thread that the carrier has
     * to run is not kept waiting; the platform threads (the collector, the record writer) take the core from it as
     * they would from any busy thread, for at most the window.
     */
    static void await(InputStream in, long windowNanos) {
        long deadline = System.nanoTime() + windowNanos;
        try {
            while (in.available() == 0 && System.nanoTime() - deadline < 0 && !Thread.currentThread().isInterrupted()) {
                Thread.yield();
            }
        } catch (IOException closed) {
            // The read that follows meets the same state and reports it.
        }
    }

    private static Field plainSocketField() {
        try {
            Field field = PlainSocket.class.getDeclaredField("delegate");
            field.setAccessible(true);
            return field.getType() == Socket.class ? field : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
