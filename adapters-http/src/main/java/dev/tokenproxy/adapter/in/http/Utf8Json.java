package dev.tokenproxy.adapter.in.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decides whether a request body is JSON text in plain UTF-8, as RFC 8259 §8.1 requires on the wire: no byte-order
 * mark, no invalid or overlong sequence, no encoded surrogate. Jackson would guess UTF-16/32 from the first bytes and
 * accept them, so an upstream could see a different text than the one the gateway routed on.
 */
final class Utf8Json {

    private static final int SCRATCH_CHARS = 8192;

    private Utf8Json() {
    }

    static boolean isPlainUtf8(byte[] body) {
        if (startsWithByteOrderMark(body)) {
            return false;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        // Decoded into a small scratch buffer that is reused: the text itself is not needed, only whether it decodes.
        CharBuffer scratch = CharBuffer.allocate(SCRATCH_CHARS);
        while (true) {
            CoderResult result = decoder.decode(in, scratch, true);
            if (result.isError() || containsNul(scratch)) {
                return false;
            }
            if (result.isUnderflow()) {
                break;
            }
            scratch.clear();
        }
        scratch.clear();
        return !decoder.flush(scratch).isError();
    }

    private static boolean startsWithByteOrderMark(byte[] b) {
        return startsWith(b, 0xEF, 0xBB, 0xBF)      // UTF-8
                || startsWith(b, 0xFE, 0xFF)        // UTF-16BE (and the tail of UTF-32BE's 00 00 FE FF)
                || startsWith(b, 0xFF, 0xFE)        // UTF-16LE and UTF-32LE
                || startsWith(b, 0x00, 0x00, 0xFE, 0xFF);
    }

    /**
     * UTF-16/32 text without a BOM is valid UTF-8 byte by byte (its ASCII characters come with NUL bytes), so it is
     * recognised by the NUL: JSON never has a raw U+0000 (RFC 8259 §7 requires it escaped inside strings, and it is
     * not whitespace outside them).
     */
    private static boolean containsNul(CharBuffer decoded) {
        for (int i = 0; i < decoded.position(); i++) {
            if (decoded.get(i) == '\0') {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
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
