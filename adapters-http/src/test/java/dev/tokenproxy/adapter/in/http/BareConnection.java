package dev.tokenproxy.adapter.in.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A bare TCP connection to the gateway, for clients no HTTP library would be: silent ones, slow ones, and ones
 * that must not be pooled or retried. It tells what the server sent and whether the server closed it.
 */
final class BareConnection implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private boolean closedByServer;

    private BareConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static BareConnection open(int port) {
        try {
            return new BareConnection(new Socket("127.0.0.1", port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code text}; false when the server has closed the connection already. */
    boolean send(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads until the server closes the connection or {@code timeout} passes, keeping what arrives.
     *
     * @return whether the server closed it (end of stream, or reset)
     */
    boolean awaitClosedByServer(Duration timeout) {
        long giveUp = System.nanoTime() + timeout.toNanos();
        try {
            while (!closedByServer) {
                long left = giveUp - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(left).toMillis()));
                byte[] buffer = new byte[4096];
                int n = in.read(buffer);
                if (n < 0) {
                    closedByServer = true;
                } else {
                    received.write(buffer, 0, n);
                }
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            closedByServer = true; // reset: closed while our bytes were still unread on its side
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads until {@code text} has arrived; false if the server closed first or {@code timeout} passed. */
    boolean awaitReceived(String text, Duration timeout) {
        long giveUp = System.nanoTime() + timeout.toNanos();
        try {
            while (!received().contains(text)) {
                long left = giveUp - System.nanoTime();
                if (closedByServer || left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(left).toMillis()));
                byte[] buffer = new byte[4096];
                int n = in.read(buffer);
                if (n < 0) {
                    closedByServer = true;
                } else {
                    received.write(buffer, 0, n);
                }
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            closedByServer = true;
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the server still holds the connection open (checked with a short read). */
    boolean isOpen() {
        return !awaitClosedByServer(Duration.ofMillis(20));
    }

    /** Everything the server sent so far. */
    String received() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    /** {@code GET /health} on a connection of its own: the whole response, or what arrived within 10 s. */
    static String health(int port) {
        try (var connection = open(port)) {
            connection.send("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n");
            // Read to the end of the body: Helidon leaves closing a finished connection to the client.
            connection.awaitReceived("{\"status\":\"ok\"}", Duration.ofSeconds(10));
            return connection.received();
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket: nothing to do about it
        }
    }
}
