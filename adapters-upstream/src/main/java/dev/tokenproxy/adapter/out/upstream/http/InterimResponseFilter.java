package dev.tokenproxy.adapter.out.upstream.http;

import java.io.UncheckedIOException;
import java.net.ProtocolException;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Sits between the socket and Helidon's response parser and lets only a final response through: interim
 * {@code 1xx} responses (a stray {@code 100 Continue}, {@code 103 Early Hints}) are dropped whole, and a status code
 * outside 100–599 fails the exchange. Helidon's client would take a 1xx as the final answer and then wait for a body
 * that never comes (RFC 9110 §15.2: a client must be able to parse 1xx and ignore the ones it does not expect).
 *
 * <p>Armed once per request with {@link #expectResponse()}; after the final status line it passes bytes on untouched.
 */
final class InterimResponseFilter implements Supplier<byte[]> {

    /** Longer than any status line plus interim headers a real server sends; beyond it we stop looking. */
    private static final int MAX_INTERIM_BYTES = 16 * 1024;
    private static final byte[] NONE = new byte[0];

    private final Supplier<byte[]> socket;
    private boolean atResponseStart;
    private byte[] pending = NONE;

    InterimResponseFilter(Supplier<byte[]> socket) {
        this.socket = socket;
    }

    /** The next bytes begin a response (its status line). */
    void expectResponse() {
        atResponseStart = true;
    }

    /** Bytes read from the socket that Helidon has not been given yet. */
    int held() {
        return pending.length;
    }

    @Override
    public byte[] get() {
        if (!atResponseStart) {
            return socket.get();
        }
        while (true) {
            int lineEnd = indexOf(pending, 0, (byte) '\n');
            if (lineEnd < 0) {
                if (!readMore()) {
                    return passOn();
                }
                continue;
            }
            int status = statusCode(pending, lineEnd);
            if (status < 0) {
                // Not a status line we understand: Helidon's parser gives the precise error.
                return passOn();
            }
            if (status < 100 || status > 599) {
                throw new UncheckedIOException(new ProtocolException("upstream sent status code " + status));
            }
            if (status >= 200) {
                return passOn();
            }
            int blockEnd = endOfHeaderBlock(pending, lineEnd + 1);
            if (blockEnd < 0) {
                if (!readMore()) {
                    return passOn();
                }
                continue;
            }
            pending = Arrays.copyOfRange(pending, blockEnd, pending.length);
        }
    }

    private boolean readMore() {
        if (pending.length > MAX_INTERIM_BYTES) {
            throw new UncheckedIOException(new ProtocolException("upstream response head is too long"));
        }
        byte[] more = socket.get();
        if (more == null) {
            return false;
        }
        if (pending.length == 0) {
            pending = more; // the usual case, a whole response head in one read: no copy
            return true;
        }
        byte[] joined = Arrays.copyOf(pending, pending.length + more.length);
        System.arraycopy(more, 0, joined, pending.length, more.length);
        pending = joined;
        return true;
    }

    /** Hands what is held to Helidon (null at the end of the stream when nothing is held). */
    private byte[] passOn() {
        atResponseStart = false;
        byte[] out = pending.length == 0 ? socket.get() : pending;
        pending = NONE;
        return out;
    }

    /** The three-digit code of {@code HTTP/1.x NNN ...}, or -1 when the line is not shaped like a status line. */
    static int statusCode(byte[] bytes, int lineEnd) {
        int space = indexOf(bytes, 0, (byte) ' ');
        if (space < 0 || space > lineEnd || !startsWith(bytes, "HTTP/")) {
            return -1;
        }
        int code = 0;
        int digits = 0;
        for (int i = space + 1; i < lineEnd && bytes[i] >= '0' && bytes[i] <= '9'; i++) {
            code = code * 10 + (bytes[i] - '0');
            digits++;
        }
        return digits == 3 ? code : -1;
    }

    /** The index just past the empty line that ends the header block starting at {@code from}, or -1. */
    private static int endOfHeaderBlock(byte[] bytes, int from) {
        int lineStart = from;
        while (lineStart < bytes.length) {
            int lineEnd = indexOf(bytes, lineStart, (byte) '\n');
            if (lineEnd < 0) {
                return -1;
            }
            boolean empty = lineEnd == lineStart || (lineEnd == lineStart + 1 && bytes[lineStart] == '\r');
            if (empty) {
                return lineEnd + 1;
            }
            lineStart = lineEnd + 1;
        }
        return -1;
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        if (bytes.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, int from, byte wanted) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
