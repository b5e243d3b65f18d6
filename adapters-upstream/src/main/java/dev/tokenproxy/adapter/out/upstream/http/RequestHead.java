package dev.tokenproxy.adapter.out.upstream.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes an HTTP/1.1 request head (RFC 9112 §3): the request line, {@code Host}, the caller's fields, and
 * {@code Content-Length} when there is a body, straight into one byte array of the exact size.
 *
 * <p>A field name must be a token and a value may not hold control characters other than tab: a line break in a
 * value (an API key pasted with its newline, say) would otherwise end the field and start another one of the value's
 * choosing. Such a field is refused before anything is sent, without its value in the message — it may be a key.
 */
final class RequestHead {

    private static final byte[] CRLF = {'\r', '\n'};

    private RequestHead() {
    }

    /**
     * @param bodyLength the length of the body, or -1 for a request without one (no {@code Content-Length})
     * @throws IllegalArgumentException for a field the HTTP grammar does not allow, or a character outside ISO-8859-1
     */
    static byte[] encode(String method, URI uri, Endpoint endpoint, Map<String, String> headers, int bodyLength) {
        String target = target(uri);
        String host = endpoint.hostField();
        String length = bodyLength < 0 ? null : Integer.toString(bodyLength);
        int size = method.length() + 1 + target.length() + " HTTP/1.1\r\n".length() + "Host: \r\n".length()
                + host.length() + 2;
        for (var field : headers.entrySet()) {
            checkField(field.getKey(), field.getValue());
            size += field.getKey().length() + 2 + field.getValue().length() + 2;
        }
        if (length != null) {
            size += "Content-Length: \r\n".length() + length.length();
        }
        var out = new Writer(new byte[size]);
        out.ascii(method).ascii(" ").ascii(target).ascii(" HTTP/1.1").crlf();
        out.ascii("Host: ").ascii(host).crlf();
        for (var field : headers.entrySet()) {
            out.ascii(field.getKey()).ascii(": ").latin1(field.getValue()).crlf();
        }
        if (length != null) {
            out.ascii("Content-Length: ").ascii(length).crlf();
        }
        return out.crlf().bytes();
    }

    /** The origin form: the path as the URI has it, encoded, and its query. */
    private static String target(URI uri) {
        String path = uri.getRawPath();
        String query = uri.getRawQuery();
        String origin = path == null || path.isEmpty() ? "/" : path;
        String target = query == null ? origin : origin + '?' + query;
        for (int i = 0; i < target.length(); i++) {
            if (target.charAt(i) <= 0x20 || target.charAt(i) >= 0x7F) {
                // java.net.URI keeps other characters unencoded in its raw parts; the request line may not hold them.
                throw new IllegalArgumentException("upstream URI path or query holds a character to be encoded");
            }
        }
        return target;
    }

    private static void checkField(String name, String value) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an upstream request header has an empty name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!HttpGrammar.isTokenChar(c)) {
                throw new IllegalArgumentException("upstream request header name is not a token: " + printable(name));
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!HttpGrammar.isValueChar(c)) {
                throw new IllegalArgumentException("the value of upstream request header " + printable(name)
                        + " holds a control character or a character outside ISO-8859-1");
            }
        }
    }

    /** A name for an error message: only its printable ASCII, so that a broken name cannot forge a log line. */
    private static String printable(String name) {
        var out = new StringBuilder(name.length());
        name.chars().forEach(c -> out.append(c > 0x20 && c < 0x7F ? (char) c : '?'));
        return out.toString();
    }

    private static final class Writer {
        private final byte[] bytes;
        private int at;

        Writer(byte[] bytes) {
            this.bytes = bytes;
        }

        /** Text checked to hold only ISO-8859-1 characters (ASCII for everything but values). */
        Writer ascii(String text) {
            return latin1(text);
        }

        /** A plain copy: the text holds no character past ISO-8859-1, so none is replaced. */
        Writer latin1(String text) {
            byte[] encoded = text.getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(encoded, 0, bytes, at, encoded.length);
            at += encoded.length;
            return this;
        }

        Writer crlf() {
            bytes[at++] = CRLF[0];
            bytes[at++] = CRLF[1];
            return this;
        }

        byte[] bytes() {
            return bytes;
        }
    }
}
