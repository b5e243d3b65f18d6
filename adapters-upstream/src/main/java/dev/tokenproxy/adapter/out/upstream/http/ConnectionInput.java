package dev.tokenproxy.adapter.out.upstream.http;

import java.io.IOException;
import java.util.Arrays;

/**
 * What an upstream connection has sent and the response parser has not consumed yet. Heads and chunk lines are
 * parsed in place in a small buffer; a body read that asks for at least a buffer's worth while nothing is buffered
 * goes straight into the caller's array, so a large answer is copied once, from the socket to where it ends up.
 *
 * <p>The buffer is {@value #BUFFER_BYTES} bytes, enough for a response head or a stream's chunk, and lives as long
 * as the connection: an open stream or a pooled connection holds no more. It grows only for a head that does not fit
 * (up to the caller's limit). Not thread-safe: one exchange reads at a time.
 */
final class ConnectionInput {

    /** Where the bytes come from: a blocking read of at most {@code length} bytes, -1 at the end of the stream. */
    @FunctionalInterface
    interface Source {
        int read(byte[] into, int offset, int length) throws IOException;
    }

    static final int BUFFER_BYTES = 2048;

    private final Source source;
    private byte[] buffer = new byte[BUFFER_BYTES];
    private int position;
    private int limit;

    ConnectionInput(Source source) {
        this.source = source;
    }

    /** How many bytes are buffered and not yet consumed. */
    int buffered() {
        return limit - position;
    }

    /** The buffer; the unconsumed bytes are {@code [position(), limit())}. Valid until the next fill or read. */
    byte[] array() {
        return buffer;
    }

    int position() {
        return position;
    }

    int limit() {
        return limit;
    }

    /** Consumes the buffered bytes up to {@code newPosition}. */
    void consumeTo(int newPosition) {
        if (newPosition < position || newPosition > limit) {
            throw new IndexOutOfBoundsException(newPosition);
        }
        position = newPosition;
    }

    /**
     * Reads more bytes behind those buffered, moving them to the buffer's start first (positions change) and growing
     * the buffer when they fill it, up to {@code maxBuffered} bytes.
     *
     * @return false at the end of the stream, or when {@code maxBuffered} bytes are already buffered
     */
    boolean fill(int maxBuffered) throws IOException {
        int held = limit - position;
        if (held >= maxBuffered) {
            return false;
        }
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, held);
            position = 0;
            limit = held;
        }
        if (limit == buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.min(maxBuffered, buffer.length * 2));
        }
        int read = source.read(buffer, limit, Math.min(buffer.length, maxBuffered) - limit);
        if (read < 0) {
            return false;
        }
        limit += read;
        return true;
    }

    /**
     * Reads at least one byte into {@code into[offset, offset + length)}, blocking until some arrive.
     *
     * @return the number of bytes read, or -1 at the end of the stream
     */
    int read(byte[] into, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (position == limit) {
            if (length >= buffer.length) {
                return source.read(into, offset, length);
            }
            position = 0;
            limit = 0;
            int read = source.read(buffer, 0, buffer.length);
            if (read < 0) {
                return -1;
            }
            limit = read;
        }
        int count = Math.min(length, limit - position);
        System.arraycopy(buffer, position, into, offset, count);
        position += count;
        return count;
    }
}
