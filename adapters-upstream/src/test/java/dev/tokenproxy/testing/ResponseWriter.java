package dev.tokenproxy.testing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes one HTTP/1.1 response on a connection, and does what a well-behaved server never does: resets the
 * connection, stops mid-body, or goes silent. Streams are {@code text/event-stream} bodies in the chunked
 * transfer coding with one SSE event per chunk, flushed at once, so a client sees each event as it is sent.
 */
final class ResponseWriter {

    private static final byte[] CRLF = {'\r', '\n'};

    /** The TCP socket; resets act on it directly, below any TLS layer, so no close_notify softens them. */
    private final Socket tcp;
    /** What HTTP bytes go through: {@link #tcp} itself, or TLS over it. */
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Map<String, String> extraHeaders = new LinkedHashMap<>();
    private boolean headersSent;
    private boolean closeAfterReply;
    private boolean closed;
    private java.io.ByteArrayOutputStream corked;

    ResponseWriter(Socket tcp, Socket socket, InputStream in, OutputStream out) {
        this.tcp = tcp;
        this.socket = socket;
        this.in = in;
        this.out = out;
    }

    /** Headers the reply adds to whatever response it sends (e.g. {@code Retry-After}). */
    void addHeaders(Map<String, String> headers) {
        extraHeaders.putAll(headers);
    }

    /** Announces {@code Connection: close} and closes after the reply; call before anything is sent. */
    void closeAfterReply() {
        if (headersSent) {
            throw new IllegalStateException("Connection: close must be decided before the headers are sent");
        }
        closeAfterReply = true;
    }

    /** Whether the connection can carry another request once the reply is over. */
    boolean keepAlive() {
        return !closed && !closeAfterReply;
    }

    void sendJson(int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        writeHeaders(status, "application/json", "Content-Length: " + bytes.length);
        write(bytes);
        flush();
    }

    /** Announces the whole body's length but sends only its first {@code prefixBytes} bytes. */
    void sendJsonPrefix(int status, String body, int prefixBytes) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        writeHeaders(status, "application/json", "Content-Length: " + bytes.length);
        write(bytes, 0, Math.min(prefixBytes, bytes.length));
        flush();
    }

    void startEventStream() throws IOException {
        writeHeaders(200, "text/event-stream", "Transfer-Encoding: chunked");
        flush();
    }

    /** Sends {@code data: <data>} and the blank line that ends the event, as one flushed chunk. */
    void sendEvent(String data) throws IOException {
        byte[] event = ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
        write(Integer.toHexString(event.length).getBytes(StandardCharsets.US_ASCII));
        write(CRLF);
        write(event);
        write(CRLF);
        flush();
    }

    /**
     * Holds everything written from now on until {@link #uncork()}, so that it leaves in one write (one packet on
     * loopback): e.g. a response and what follows it arrive together.
     */
    void cork() {
        corked = new java.io.ByteArrayOutputStream();
    }

    void uncork() throws IOException {
        byte[] held = corked.toByteArray();
        corked = null;
        out.write(held);
        out.flush();
    }

    private void flush() throws IOException {
        if (corked == null) {
            out.flush();
        }
    }

    private void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    private void write(byte[] bytes, int offset, int length) throws IOException {
        if (corked != null) {
            corked.write(bytes, offset, length);
        } else {
            out.write(bytes, offset, length);
        }
    }

    /** Writes bytes as they are, whatever HTTP makes of them. */
    void sendRaw(String bytes) throws IOException {
        write(bytes.getBytes(StandardCharsets.ISO_8859_1));
        flush();
        headersSent = true;
    }

    /** A body of {@code length} bytes (JSON whitespace), sent in large writes until done or the client leaves. */
    void sendHugeJson(long length) throws IOException {
        writeHeaders(200, "application/json", "Content-Length: " + length);
        byte[] block = new byte[64 * 1024];
        java.util.Arrays.fill(block, (byte) ' ');
        for (long left = length; left > 0; left -= block.length) {
            write(block, 0, (int) Math.min(block.length, left));
        }
        flush();
    }

    /** Half-closes: the client sees the end of the stream after what was sent, the socket stays readable. */
    void finishSending() throws IOException {
        closed = true;
        flush();
        tcp.shutdownOutput();
    }

    /** Ends the chunked body properly: the zero-length last chunk and an empty trailer section. */
    void endEventStream() throws IOException {
        write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        flush();
    }

    /** Aborts the connection with a TCP RST (SO_LINGER 0) instead of an orderly FIN. */
    void reset() throws IOException {
        closed = true;
        tcp.setSoLinger(true, 0);
        tcp.close();
    }

    /**
     * Waits {@code duration}, but throws as soon as the client leaves (so the fake can count it as abandoned) or
     * the fixture closes the socket; waiting on the socket rather than sleeping is what lets both end it early.
     */
    void pause(Duration duration) throws IOException {
        if (duration.isPositive()) {
            watchClient(Math.max(1, duration.toMillis()));
        }
    }

    /** Sends nothing more, until the client leaves or the fixture closes; always ends by throwing. */
    void holdUntilClientLeaves() throws IOException {
        watchClient(0);
        throw new IllegalStateException("watching without a deadline only ends by an exception");
    }

    /** Reads from the client until it leaves (EOFException) or, when {@code millis > 0}, until that much time passed. */
    private void watchClient(long millis) throws IOException {
        long deadline = System.nanoTime() + Duration.ofMillis(millis).toNanos();
        try {
            while (true) {
                long remaining = millis == 0 ? 0 : Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis());
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remaining));
                // Anything a client sends mid-reply is discarded: clients used here do not pipeline requests.
                if (in.read() == -1) {
                    throw new EOFException("client closed the connection while the reply was in progress");
                }
                if (millis > 0 && System.nanoTime() - deadline >= 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            return; // the wait is over and the client is still there
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(0);
            }
        }
    }

    private void writeHeaders(int status, String contentType, String framing) throws IOException {
        var head = new StringBuilder()
                .append("HTTP/1.1 ").append(status).append(' ').append(reasonPhrase(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append(framing).append("\r\n");
        extraHeaders.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (closeAfterReply) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        headersSent = true;
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 402 -> "Payment Required";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 413 -> "Payload Too Large";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            // Clients must ignore the reason phrase (RFC 9112 §4); any text will do for the rest.
            default -> "Status " + status;
        };
    }
}
