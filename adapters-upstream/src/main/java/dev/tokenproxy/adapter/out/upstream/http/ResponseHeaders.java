package dev.tokenproxy.adapter.out.upstream.http;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The header fields of one upstream response, kept as the bytes they arrived in with the offsets of each name and
 * value: a response carries half a dozen fields and the gateway asks for two or three, so a value becomes a
 * {@code String} only when it is asked for. Names compare without regard to case (RFC 9110 §5.1). Immutable.
 */
final class ResponseHeaders {

    private final byte[] head;
    /** Per field: name start, name end, value start, value end (the value without its surrounding whitespace). */
    private final int[] offsets;
    private final int count;

    ResponseHeaders(byte[] head, int[] offsets, int count) {
        this.head = head;
        this.offsets = offsets;
        this.count = count;
    }

    /** The value of the first field named {@code name}, as sent (bytes read as ISO-8859-1). */
    Optional<String> first(String name) {
        int field = next(name, 0);
        return field < 0 ? Optional.empty() : Optional.of(value(field));
    }

    boolean contains(String name) {
        return next(name, 0) >= 0;
    }

    /** How many fields are named {@code name}. */
    int count(String name) {
        int found = 0;
        for (int field = next(name, 0); field >= 0; field = next(name, field + 1)) {
            found++;
        }
        return found;
    }

    /** Whether the comma-separated lists of every field named {@code name} hold {@code token}, in any case. */
    boolean hasToken(String name, String token) {
        for (int field = next(name, 0); field >= 0; field = next(name, field + 1)) {
            int at = offsets[4 * field + 2];
            int end = offsets[4 * field + 3];
            while (at <= end) {
                int comma = indexOf(',', at, end);
                int itemEnd = comma < 0 ? end : comma;
                if (equalsTrimmed(at, itemEnd, token)) {
                    return true;
                }
                at = itemEnd + 1;
            }
        }
        return false;
    }

    /** Whether the last item of the combined lists of the fields named {@code name} is {@code token}, in any case. */
    boolean lastTokenIs(String name, String token) {
        int last = -1;
        for (int field = next(name, 0); field >= 0; field = next(name, field + 1)) {
            last = field;
        }
        if (last < 0) {
            return false;
        }
        int start = offsets[4 * last + 2];
        int end = offsets[4 * last + 3];
        int comma = end - 1;
        while (comma >= start && head[comma] != ',') {
            comma--;
        }
        return equalsTrimmed(comma + 1, end, token);
    }

    private String value(int field) {
        int start = offsets[4 * field + 2];
        return new String(head, start, offsets[4 * field + 3] - start, StandardCharsets.ISO_8859_1);
    }

    /** The index of the first field from {@code from} named {@code name}, or -1. */
    private int next(String name, int from) {
        for (int field = from; field < count; field++) {
            int start = offsets[4 * field];
            if (offsets[4 * field + 1] - start == name.length() && equalsIgnoringCase(start, name)) {
                return field;
            }
        }
        return -1;
    }

    private boolean equalsIgnoringCase(int start, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (lowerCase(head[start + i]) != lowerCase((byte) name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private boolean equalsTrimmed(int start, int end, String token) {
        while (start < end && HttpGrammar.isWhitespace(head[start])) {
            start++;
        }
        while (end > start && HttpGrammar.isWhitespace(head[end - 1])) {
            end--;
        }
        return end - start == token.length() && equalsIgnoringCase(start, token);
    }

    private int indexOf(char wanted, int from, int end) {
        for (int i = from; i < end; i++) {
            if (head[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static int lowerCase(byte b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }
}
