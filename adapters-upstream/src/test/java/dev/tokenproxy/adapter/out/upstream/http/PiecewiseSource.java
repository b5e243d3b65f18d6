package dev.tokenproxy.adapter.out.upstream.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * An upstream's bytes as a test scripts them: each read returns at most one piece (or what fits of it), then the end
 * of the stream. Splitting a message into pieces at every offset checks that a parser never assumes what one read
 * brings.
 */
final class PiecewiseSource implements ConnectionInput.Source {

    private final Deque<byte[]> pieces = new ArrayDeque<>();
    private int reads;

    static PiecewiseSource of(String... pieces) {
        var source = new PiecewiseSource();
        for (String piece : pieces) {
            source.pieces.add(piece.getBytes(StandardCharsets.ISO_8859_1));
        }
        return source;
    }

    /** The message cut in two at {@code offset}. */
    static PiecewiseSource splitAt(String message, int offset) {
        return of(message.substring(0, offset), message.substring(offset));
    }

    /** The message one byte per read. */
    static PiecewiseSource byteByByte(String message) {
        return of(message.chars().mapToObj(c -> String.valueOf((char) c)).toArray(String[]::new));
    }

    @Override
    public int read(byte[] into, int offset, int length) {
        reads++;
        byte[] piece = pieces.poll();
        while (piece != null && piece.length == 0) {
            piece = pieces.poll();
        }
        if (piece == null) {
            return -1;
        }
        int count = Math.min(length, piece.length);
        System.arraycopy(piece, 0, into, offset, count);
        if (count < piece.length) {
            byte[] rest = new byte[piece.length - count];
            System.arraycopy(piece, count, rest, 0, rest.length);
            pieces.addFirst(rest);
        }
        return count;
    }

    int reads() {
        return reads;
    }

    ConnectionInput input() {
        return new ConnectionInput(this);
    }
}
