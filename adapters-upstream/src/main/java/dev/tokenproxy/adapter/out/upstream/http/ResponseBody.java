package dev.tokenproxy.adapter.out.upstream.http;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;

/**
 * A response's body as its framing delimits it (RFC 9112 §6.3): a declared length, chunks, or the rest of the
 * connection. Reads stop exactly at the body's end, so what follows stays in the {@link ConnectionInput}, where the
 * pool sees it as a reason not to reuse the connection.
 */
sealed interface ResponseBody {

    /** The longest chunk-size line or trailer field accepted: sizes and extensions, not data. */
    int MAX_LINE_BYTES = 4096;
    /** The most trailer bytes read after the last chunk. */
    int MAX_TRAILER_BYTES = 16 * 1024;

    /**
     * Reads at least one byte of the body, blocking until some arrive.
     *
     * @return the number of bytes read, or -1 at the body's end
     */
    int read(byte[] into, int offset, int length) throws IOException;

    /** The declared length, or -1 when the body has none. */
    long declaredLength();

    /** Whether the end of the body is the end of the connection, which then cannot be reused. */
    default boolean endsWithConnection() {
        return false;
    }

    /**
     * The framing of the body that follows {@code head}, for a request that was not HEAD.
     *
     * @throws ProtocolException when the framing is ambiguous or malformed: a length and chunking both, several or
     *                           unreadable lengths (two parsers could disagree where the body ends)
     */
    static ResponseBody of(ResponseHead head, ConnectionInput input) throws ProtocolException {
        ResponseHeaders headers = head.headers();
        if (head.status() == 204 || head.status() == 304) {
            return new Sized(input, 0);
        }
        boolean transferCoded = headers.contains("Transfer-Encoding");
        int lengths = headers.count("Content-Length");
        if ((transferCoded && lengths > 0) || lengths > 1) {
            throw new ProtocolException("upstream response has an ambiguous length");
        }
        if (transferCoded) {
            // A body whose last coding is not chunked runs to the end of the connection (§6.3, rule 4).
            return headers.lastTokenIs("Transfer-Encoding", "chunked") ? new Chunked(input) : new ToTheEnd(input);
        }
        if (lengths == 1) {
            return new Sized(input, contentLength(headers.first("Content-Length").orElseThrow()));
        }
        return new ToTheEnd(input);
    }

    private static long contentLength(String value) throws ProtocolException {
        if (value.isEmpty() || value.length() > 18) {
            throw new ProtocolException("upstream sent an invalid Content-Length");
        }
        long length = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("upstream sent an invalid Content-Length");
            }
            length = length * 10 + (c - '0');
        }
        return length;
    }

    /** A body of a declared length. */
    final class Sized implements ResponseBody {
        private final ConnectionInput input;
        private final long length;
        private long remaining;

        Sized(ConnectionInput input, long length) {
            this.input = input;
            this.length = length;
            this.remaining = length;
        }

        @Override
        public int read(byte[] into, int offset, int count) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int read = input.read(into, offset, (int) Math.min(count, remaining));
            if (read < 0) {
                throw new EOFException("upstream closed the connection " + remaining + " bytes before the body's end");
            }
            remaining -= read;
            return read;
        }

        @Override
        public long declaredLength() {
            return length;
        }
    }

    /** A chunked body: each chunk's size line, its data and CRLF, then a zero-size chunk and trailer fields. */
    final class Chunked implements ResponseBody {
        private final ConnectionInput input;
        private long remainingInChunk;
        private boolean dataEnded;
        private boolean ended;

        Chunked(ConnectionInput input) {
            this.input = input;
        }

        @Override
        public int read(byte[] into, int offset, int count) throws IOException {
            if (ended) {
                return -1;
            }
            if (remainingInChunk == 0) {
                if (dataEnded) {
                    expectLineEnd();
                }
                remainingInChunk = chunkSize();
                if (remainingInChunk == 0) {
                    skipTrailers();
                    ended = true;
                    return -1;
                }
            }
            int read = input.read(into, offset, (int) Math.min(count, remainingInChunk));
            if (read < 0) {
                throw new EOFException("upstream closed the connection in the middle of a chunk");
            }
            remainingInChunk -= read;
            dataEnded = remainingInChunk == 0;
            return read;
        }

        @Override
        public long declaredLength() {
            return -1;
        }

        /** {@code chunk-size [ chunk-ext ] CRLF}: the size in hex; extensions are read past and ignored. */
        private long chunkSize() throws IOException {
            int end = lineEnd();
            byte[] bytes = input.array();
            int at = input.position();
            long size = 0;
            int digits = 0;
            for (; at < end && hexValue(bytes[at]) >= 0; at++) {
                if (++digits > 15) {
                    throw new ProtocolException("upstream sent a chunk size too large to be real");
                }
                size = size * 16 + hexValue(bytes[at]);
            }
            if (digits == 0 || (at < end && bytes[at] != ';' && bytes[at] != ' ' && bytes[at] != '\t'
                    && bytes[at] != '\r')) {
                throw new ProtocolException("upstream sent a malformed chunk size");
            }
            input.consumeTo(end + 1);
            dataEnded = false;
            return size;
        }

        /** The CRLF after a chunk's data. */
        private void expectLineEnd() throws IOException {
            int end = lineEnd();
            int start = input.position();
            if (end - start > 1 || (end - start == 1 && input.array()[start] != '\r')) {
                throw new ProtocolException("upstream sent more chunk data than the chunk's size");
            }
            input.consumeTo(end + 1);
            dataEnded = false;
        }

        /** Trailer fields up to the empty line that ends the message; the gateway has no use for them. */
        private void skipTrailers() throws IOException {
            int total = 0;
            while (true) {
                int end = lineEnd();
                int start = input.position(); // after lineEnd(): reading more may move the buffered bytes
                total += end + 1 - start;
                if (total > MAX_TRAILER_BYTES) {
                    throw new ProtocolException("upstream sent more than " + MAX_TRAILER_BYTES + " trailer bytes");
                }
                boolean empty = end == start || (end == start + 1 && input.array()[start] == '\r');
                input.consumeTo(end + 1);
                if (empty) {
                    return;
                }
            }
        }

        /**
         * The index of the next LF in the input, reading until one arrives (at most a line's worth). Consumes nothing,
         * but may move the buffered bytes: positions taken before the call are stale after it.
         */
        private int lineEnd() throws IOException {
            int scanned = 0;
            while (true) {
                byte[] bytes = input.array();
                for (int i = input.position() + scanned; i < input.limit(); i++) {
                    if (bytes[i] == '\n') {
                        return i;
                    }
                }
                scanned = input.buffered();
                if (scanned >= MAX_LINE_BYTES) {
                    throw new ProtocolException("upstream sent a chunk line longer than " + MAX_LINE_BYTES + " bytes");
                }
                if (!input.fill(MAX_LINE_BYTES)) {
                    throw new EOFException("upstream closed the connection in the middle of a chunked body");
                }
            }
        }

        private static int hexValue(byte b) {
            if (b >= '0' && b <= '9') {
                return b - '0';
            }
            if (b >= 'a' && b <= 'f') {
                return b - 'a' + 10;
            }
            if (b >= 'A' && b <= 'F') {
                return b - 'A' + 10;
            }
            return -1;
        }
    }

    /** A body without a length: everything up to the end of the connection (HTTP/1.0 style). */
    final class ToTheEnd implements ResponseBody {
        private final ConnectionInput input;

        ToTheEnd(ConnectionInput input) {
            this.input = input;
        }

        @Override
        public int read(byte[] into, int offset, int count) throws IOException {
            return input.read(into, offset, count);
        }

        @Override
        public long declaredLength() {
            return -1;
        }

        @Override
        public boolean endsWithConnection() {
            return true;
        }
    }
}
