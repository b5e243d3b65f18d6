package dev.tokenproxy.adapter.in.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decides whether a request body is JSON text in plain UTF-8, as RFC 8259 §8.1 requires on the wire: no byte-order
 * mark, no invalid or overlong sequence, no encoded surrogate. Jackson would guess UTF-16/32 from the first bytes and
 * accept them, so an upstream could see a different text than the one the gateway routed on.
 */
final class Utf8Json {

    /** Eight bytes at a time, and four such words at once, for the ASCII that most of a prompt is. */
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;
    private static final long LOW_BITS = 0x0101_0101_0101_0101L;
    private static final int BLOCK = 4 * Long.BYTES;

    private Utf8Json() {
    }

    /**
     * Walks the bytes once, without decoding them: a body of hundreds of KB is checked in about the time it takes to
     * read it, where a {@code CharsetDecoder} spent more than parsing the JSON did.
     */
    static boolean isPlainUtf8(byte[] body) {
        return isPlainUtf8(body, body.length);
    }

    /** {@link #isPlainUtf8(byte[])} for the first {@code end} bytes of {@code body}. */
    static boolean isPlainUtf8(byte[] body, int end) {
        if (startsWithByteOrderMark(body, end)) {
            return false;
        }
        int i = 0;
        while (i < end) {
            if (i + BLOCK <= end && isPlainAsciiBlock(body, i)) {
                i += BLOCK;
                continue;
            }
            if (i + Long.BYTES <= end) {
                long word = (long) WORD.get(body, i);
                if ((word & HIGH_BITS) == 0 && !hasZeroByte(word)) {
                    i += Long.BYTES;
                    continue;
                }
            }
            int length = sequenceLength(body, i, end);
            if (length == 0) {
                return false;
            }
            i += length;
        }
        return true;
    }

    /**
     * Whether the {@value #BLOCK} bytes at {@code i} are ASCII without a NUL: four words tested with one branch, which
     * took a 256 KB prompt's check from ~19 to ~13 µs (docs/benchmark.md, twelfth pass).
     */
    private static boolean isPlainAsciiBlock(byte[] body, int i) {
        long a = (long) WORD.get(body, i);
        long b = (long) WORD.get(body, i + Long.BYTES);
        long c = (long) WORD.get(body, i + 2 * Long.BYTES);
        long d = (long) WORD.get(body, i + 3 * Long.BYTES);
        // The zero-byte trick is exact only without high bits, which the same test refuses.
        long flagged = a | b | c | d | zeroBytes(a) | zeroBytes(b) | zeroBytes(c) | zeroBytes(d);
        return (flagged & HIGH_BITS) == 0;
    }

    private static long zeroBytes(long word) {
        return (word - LOW_BITS) & ~word;
    }

    /** Whether a byte of {@code word} is zero (the classic bit trick: exact when no byte has its high bit set). */
    private static boolean hasZeroByte(long word) {
        return (zeroBytes(word) & HIGH_BITS) != 0;
    }

    /**
     * The length of the well-formed UTF-8 sequence at {@code i} (Unicode Table 3-7: no overlong form, no surrogate,
     * nothing past U+10FFFF), or 0 when there is none. A NUL is refused too: UTF-16/32 text without a BOM is valid
     * UTF-8 byte by byte, its ASCII characters come with NUL bytes, and JSON never has a raw U+0000 (RFC 8259 §7
     * requires it escaped inside strings, and it is not whitespace outside them).
     */
    private static int sequenceLength(byte[] b, int i, int end) {
        int lead = b[i] & 0xFF;
        if (lead < 0x80) {
            return lead == 0 ? 0 : 1;
        }
        if (lead >= 0xC2 && lead <= 0xDF) {
            return continuation(b, i + 1, end, 0x80, 0xBF) ? 2 : 0;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            int low = lead == 0xE0 ? 0xA0 : 0x80;
            int high = lead == 0xED ? 0x9F : 0xBF;
            return continuation(b, i + 1, end, low, high) && continuation(b, i + 2, end, 0x80, 0xBF) ? 3 : 0;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            int low = lead == 0xF0 ? 0x90 : 0x80;
            int high = lead == 0xF4 ? 0x8F : 0xBF;
            return continuation(b, i + 1, end, low, high) && continuation(b, i + 2, end, 0x80, 0xBF)
                    && continuation(b, i + 3, end, 0x80, 0xBF) ? 4 : 0;
        }
        return 0;
    }

    private static boolean continuation(byte[] b, int i, int end, int low, int high) {
        if (i >= end) {
            return false;
        }
        int value = b[i] & 0xFF;
        return value >= low && value <= high;
    }

    private static boolean startsWithByteOrderMark(byte[] b, int end) {
        return startsWith(b, end, 0xEF, 0xBB, 0xBF)      // UTF-8
                || startsWith(b, end, 0xFE, 0xFF)        // UTF-16BE (and the tail of UTF-32BE's 00 00 FE FF)
                || startsWith(b, end, 0xFF, 0xFE)        // UTF-16LE and UTF-32LE
                || startsWith(b, end, 0x00, 0x00, 0xFE, 0xFF);
    }

    private static boolean startsWith(byte[] bytes, int end, int... prefix) {
        if (end < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
