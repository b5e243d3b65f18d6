package dev.tokenproxy.adapter.in.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A client socket that speaks HTTP/1.x by hand, for what well-behaved clients cannot send: broken framing, HTTP/1.0,
 * a body that never ends. Reads are bounded by a timeout so a test fails instead of hanging.
 */
final class RawConnection implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 5_000;

    private final Socket socket;
    private final InputStream in;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    static RawConnection to(RunningGateway gateway) {
        return to(gateway, 0);
    }

    /** With a send buffer of {@code sendBufferBytes} (0: the system default), set before connecting. */
    static RawConnection to(RunningGateway gateway, int sendBufferBytes) {
        try {
            var socket = new Socket();
            if (sendBufferBytes > 0) {
                socket.setSendBufferSize(sendBufferBytes);
            }
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.uri("/").getPort()), 5_000);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            return new RawConnection(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawConnection send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawConnection send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} once; an {@link IOException} means the server closed or reset the connection. */
    void write(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
    }

    /** Sends FIN: the request is over as far as the client is concerned, but it still reads. */
    RawConnection endOfOutput() {
        try {
            socket.shutdownOutput();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes with a TCP reset (SO_LINGER 0) instead of a FIN, as a crashed client or a proxy timeout does. */
    void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response, which must have a Content-Length (every response these tests look at does). */
    Response readResponse() {
        try {
            String head = readHead();
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            var headers = new LinkedHashMap<String, String>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new AssertionError("response body cut short: " + new String(body, StandardCharsets.UTF_8));
            }
            return new Response(lines[0], status, headers, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the server closed the connection (EOF or reset) within the read timeout, sending nothing more. A
     * connection kept open for another request times out instead.
     */
    boolean closedByServer() {
        try {
            int next = in.read();
            if (next != -1) {
                throw new AssertionError("the server sent more bytes after the response: " + (char) next);
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHead() throws IOException {
        var head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b == -1) {
                throw new AssertionError("connection closed before a full response head: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Response(String statusLine, int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }
}
