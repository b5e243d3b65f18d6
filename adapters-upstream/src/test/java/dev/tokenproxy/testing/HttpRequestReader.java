package dev.tokenproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads HTTP/1.1 requests (RFC 9112) off one connection: request line, headers, and a body framed by
 * {@code Content-Length} or the chunked transfer coding. Just enough for well-behaved clients; it does not
 * support pipelining, since no HTTP client used against the fake pipelines.
 */
final class HttpRequestReader {

    /** Longest request or header line accepted; guards against a client that never sends a line end. */
    private static final int MAX_LINE = 64 * 1024;

    private final InputStream in;
    private final OutputStream out;

    HttpRequestReader(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /** The next request, or null when the client closed the connection between requests. */
    RecordedRequest next() throws IOException {
        String requestLine = readLine();
        // Tolerate stray blank lines before a request line (RFC 9112 §2.2).
        while (requestLine != null && requestLine.isEmpty()) {
            requestLine = readLine();
        }
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3) {
            throw new IOException("malformed request line: " + requestLine);
        }
        Map<String, String> headers = readHeaders();
        if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        String body = new String(readBody(headers), StandardCharsets.UTF_8);
        return RecordedRequest.of(parts[0], parts[1], headers, body);
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = requireLine(); !line.isEmpty(); line = requireLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            headers.merge(name, value, (first, second) -> first + ", " + second);
        }
        return headers;
    }

    private byte[] readBody(Map<String, String> headers) throws IOException {
        String transferEncoding = headers.get("transfer-encoding");
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return readChunkedBody();
        }
        String contentLength = headers.get("content-length");
        if (contentLength == null) {
            return new byte[0];
        }
        return readExactly(parseLength(contentLength, 10));
    }

    private byte[] readChunkedBody() throws IOException {
        var body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = requireLine();
            int extension = sizeLine.indexOf(';');
            int size = parseLength(extension < 0 ? sizeLine : sizeLine.substring(0, extension), 16);
            if (size == 0) {
                break;
            }
            body.write(readExactly(size));
            requireLine(); // the CRLF that ends each chunk's data
        }
        // Trailer fields, ended by an empty line; the fake has no use for them.
        String trailer;
        do {
            trailer = requireLine();
        } while (!trailer.isEmpty());
        return body.toByteArray();
    }

    /** A malformed length is the client's fault, reported like any other broken request. */
    private static int parseLength(String text, int radix) throws IOException {
        try {
            int length = Integer.parseInt(text.trim(), radix);
            if (length < 0) {
                throw new IOException("negative length: " + text);
            }
            return length;
        } catch (NumberFormatException e) {
            throw new IOException("malformed length: " + text, e);
        }
    }

    private byte[] readExactly(int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException("body ended after " + bytes.length + " of " + length + " bytes");
        }
        return bytes;
    }

    private String requireLine() throws IOException {
        String line = readLine();
        if (line == null) {
            throw new EOFException("connection closed inside a request");
        }
        return line;
    }

    /** One line without its CRLF (a bare LF is accepted too), or null at end of stream before any byte. */
    private String readLine() throws IOException {
        var line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                if (line.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside a line");
            }
            if (line.size() == MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
