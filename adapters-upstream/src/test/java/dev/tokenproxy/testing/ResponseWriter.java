package dev.tokenproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The steps a {@link Script} plays to answer one request of a {@link ScriptedHttpServer}: a well-formed HTTP/1.1
 * response (whole, chunked, or an SSE stream) and what a well-behaved server never does (raw bytes, a reset, a stop
 * mid-body, silence). Nothing here knows a payload format: bodies are bytes or text, SSE events are an optional
 * {@code event:} name and a {@code data:} payload.
 *
 * <p>Every step flushes what it wrote, so the client sees it at once, unless the writer is {@linkplain #cork() corked}.
 * Chunked bodies and SSE streams send each chunk or event as its own flushed chunk of the chunked transfer coding.
 */
public final class ResponseWriter {

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
    private ByteArrayOutputStream corked;

    ResponseWriter(Socket tcp, Socket socket, InputStream in, OutputStream out) {
        this.tcp = tcp;
        this.socket = socket;
        this.in = in;
        this.out = out;
    }

    // --- decisions made before the head -------------------------------------------------------------------------

    /** Adds headers to the response head this writer sends next (e.g. {@code Retry-After}); a later value wins. */
    public ResponseWriter addHeaders(Map<String, String> headers) {
        extraHeaders.putAll(headers);
        return this;
    }

    /** Adds one header to the response head this writer sends next, replacing one of the same name. */
    public ResponseWriter addHeader(String name, String value) {
        extraHeaders.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Announces {@code Connection: close} and closes after the reply; call before the head is sent. */
    public void closeAfterReply() {
        if (headersSent) {
            throw new IllegalStateException("Connection: close must be decided before the headers are sent");
        }
        closeAfterReply = true;
    }

    /** Whether the connection can carry another request once the reply is over. */
    boolean keepAlive() {
        return !closed && !closeAfterReply;
    }

    // --- whole bodies ---------------------------------------------------------------------------------------------

    /** A complete response: the head with {@code Content-Length}, then {@code body} exactly as given. */
    public void send(int status, String contentType, byte[] body) throws IOException {
        sendPrefix(status, contentType, body, body.length);
    }

    /** A complete response with a UTF-8 text body. */
    public void send(int status, String contentType, String body) throws IOException {
        send(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A complete {@code application/json} response. */
    public void sendJson(int status, String body) throws IOException {
        send(status, "application/json", body);
    }

    /**
     * Announces the whole body's length but sends only its first {@code prefixBytes} bytes: a truncated body, for a
     * script to follow with {@link #reset()}, {@link #holdUntilClientLeaves()} or {@link #finishSending()}.
     */
    public void sendPrefix(int status, String contentType, byte[] body, int prefixBytes) throws IOException {
        writeHead(status, contentType, "Content-Length: " + body.length);
        write(body, 0, Math.min(prefixBytes, body.length));
        flush();
    }

    /** {@link #sendPrefix} for a UTF-8 JSON body. */
    public void sendJsonPrefix(int status, String body, int prefixBytes) throws IOException {
        sendPrefix(status, "application/json", body.getBytes(StandardCharsets.UTF_8), prefixBytes);
    }

    /** A body of {@code length} bytes (JSON whitespace), sent in large writes until done or the client leaves. */
    public void sendHugeJson(long length) throws IOException {
        writeHead(200, "application/json", "Content-Length: " + length);
        byte[] block = whitespace();
        for (long left = length; left > 0; left -= block.length) {
            write(block, 0, (int) Math.min(block.length, left));
        }
        flush();
    }

    /**
     * A body of {@code length} bytes (JSON whitespace) in the chunked transfer coding, one 64 KiB chunk per write,
     * until done or the client leaves: the size is announced nowhere, so only counting what arrives can stop it.
     */
    public void sendHugeChunkedJson(long length) throws IOException {
        startChunked(200, "application/json");
        byte[] block = whitespace();
        for (long left = length; left > 0; left -= block.length) {
            int size = (int) Math.min(block.length, left);
            write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            write(block, 0, size);
            write(CRLF);
        }
        endChunked();
    }

    /**
     * A body of {@code length} bytes (JSON whitespace) without {@code Content-Length} or chunking, ended by closing the
     * connection, in large writes until done or the client leaves.
     */
    public void sendHugeCloseDelimitedJson(long length) throws IOException {
        startCloseDelimited(200, "application/json");
        byte[] block = whitespace();
        for (long left = length; left > 0; left -= block.length) {
            write(block, 0, (int) Math.min(block.length, left));
        }
        flush();
    }

    private static byte[] whitespace() {
        byte[] block = new byte[64 * 1024];
        Arrays.fill(block, (byte) ' ');
        return block;
    }

    /**
     * The head without {@code Content-Length} or chunking and with {@code Connection: close}: the body is whatever
     * follows (e.g. {@link #sendRaw}) and ends when the connection closes after the script.
     */
    public void startCloseDelimited(int status, String contentType) throws IOException {
        closeAfterReply();
        writeHead(status, contentType, null);
        flush();
    }

    // --- chunked bodies and SSE -----------------------------------------------------------------------------------

    /** The head of a body in the chunked transfer coding; follow with {@link #sendChunk} and {@link #endChunked()}. */
    public void startChunked(int status, String contentType) throws IOException {
        writeHead(status, contentType, "Transfer-Encoding: chunked");
        flush();
    }

    /** One chunk holding exactly {@code data}, flushed. An empty array would end the body, so it is refused. */
    public void sendChunk(byte[] data) throws IOException {
        if (data.length == 0) {
            throw new IllegalArgumentException("an empty chunk is the last chunk; use endChunked()");
        }
        write(Integer.toHexString(data.length).getBytes(StandardCharsets.US_ASCII));
        write(CRLF);
        write(data);
        write(CRLF);
        flush();
    }

    /** One chunk holding {@code text} in UTF-8. */
    public void sendChunk(String text) throws IOException {
        sendChunk(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the chunked body properly: the zero-length last chunk and an empty trailer section. */
    public void endChunked() throws IOException {
        write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        flush();
    }

    /** A 200 {@code text/event-stream} head with a chunked body. */
    public void startEventStream() throws IOException {
        startChunked(200, "text/event-stream");
    }

    /** An SSE event without an {@code event:} line: {@code data: <data>} and the blank line, as one chunk. */
    public void sendEvent(String data) throws IOException {
        sendEvent(null, data);
    }

    /**
     * An SSE event as one chunk: {@code event: <name>} when {@code name} is not null, then one {@code data:} line per
     * line of {@code data} (so a payload with line breaks stays one event), then the blank line that ends it.
     */
    public void sendEvent(String name, String data) throws IOException {
        var event = new StringBuilder();
        if (name != null) {
            event.append("event: ").append(name).append('\n');
        }
        data.lines().forEach(line -> event.append("data: ").append(line).append('\n'));
        if (data.isEmpty()) {
            event.append("data: \n");
        }
        sendChunk(event.append('\n').toString());
    }

    /** An SSE comment line ({@code : <text>}), which clients treat as a keep-alive, as one chunk. */
    public void sendComment(String text) throws IOException {
        sendChunk(": " + text + "\n\n");
    }

    /** Ends an SSE stream's chunked body properly. */
    public void endEventStream() throws IOException {
        endChunked();
    }

    // --- misbehaviour ---------------------------------------------------------------------------------------------

    /** Writes the text's ISO-8859-1 bytes as they are, whatever HTTP makes of them. */
    public void sendRaw(String bytes) throws IOException {
        sendRaw(bytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes bytes as they are, whatever HTTP makes of them. */
    public void sendRaw(byte[] bytes) throws IOException {
        write(bytes);
        flush();
        headersSent = true;
    }

    /**
     * Holds everything written from now on until {@link #uncork()}, so that it leaves in one write (one packet on
     * loopback): e.g. a response and what follows it arrive together.
     */
    public void cork() {
        corked = new ByteArrayOutputStream();
    }

    /** Sends what was held since {@link #cork()} in one write. */
    public void uncork() throws IOException {
        byte[] held = corked.toByteArray();
        corked = null;
        out.write(held);
        out.flush();
    }

    /** Half-closes: the client sees the end of the stream (FIN) after what was sent; the socket stays readable. */
    public void finishSending() throws IOException {
        closed = true;
        flush();
        tcp.shutdownOutput();
    }

    /** Aborts the connection with a TCP RST (SO_LINGER 0) instead of an orderly FIN. */
    public void reset() throws IOException {
        closed = true;
        tcp.setSoLinger(true, 0);
        tcp.close();
    }

    /**
     * Waits {@code duration}, but throws as soon as the client leaves (so the server can count it as abandoned) or
     * the server closes the socket; waiting on the socket rather than sleeping is what lets both end it early.
     */
    public void pause(Duration duration) throws IOException {
        if (duration.isPositive()) {
            watchClient(Math.max(1, duration.toMillis()));
        }
    }

    /** Sends nothing more, until the client leaves or the server closes; always ends by throwing. */
    public void holdUntilClientLeaves() throws IOException {
        watchClient(0);
        throw new IllegalStateException("watching without a deadline only ends by an exception");
    }

    // --- plumbing -------------------------------------------------------------------------------------------------

    /** Reads from the client until it leaves (EOFException) or, when {@code millis > 0}, until that much time passed. */
    private void watchClient(long millis) throws IOException {
        flush();
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

    /** @param framing the {@code Content-Length} or {@code Transfer-Encoding} line, or null for a close-delimited body */
    private void writeHead(int status, String contentType, String framing) throws IOException {
        var head = new StringBuilder()
                .append("HTTP/1.1 ").append(status).append(' ').append(reasonPhrase(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n");
        if (framing != null) {
            head.append(framing).append("\r\n");
        }
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
