package dev.tokenproxy.adapter.out.upstream.http;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.Arrays;

/**
 * The status line and header fields of an upstream's final response (RFC 9112 §4 and §5), read from a connection.
 * Strict where leniency would let two parsers disagree about a message: a malformed status line, a field name with
 * whitespace or other bytes a token cannot hold, a value with control characters, a folded line, or a head past
 * {@value #MAX_HEAD_BYTES} bytes is a {@link ProtocolException}. Bare LF line ends are accepted (§2.2).
 *
 * <p>Interim {@code 1xx} responses (a stray {@code 100 Continue}, {@code 103 Early Hints}) are read and dropped: a
 * client must be able to parse them even when it does not expect one (RFC 9110 §15.2). {@code 101 Switching
 * Protocols}, which the gateway never asks for, is a violation.
 *
 * @param http11 whether the response is HTTP/1.1 (else HTTP/1.0, whose connections are not kept)
 */
record ResponseHead(int status, boolean http11, ResponseHeaders headers) {

    /** Longer than any status line and header block a real upstream sends; the limit of Helidon's client too. */
    static final int MAX_HEAD_BYTES = 16 * 1024;
    /** More interim responses than this before the final one is an upstream in a loop. */
    private static final int MAX_INTERIM_RESPONSES = 16;

    /** Reads the next final response's head, consuming it (and any interim responses before it) from {@code input}. */
    static ResponseHead read(ConnectionInput input) throws IOException {
        for (int interim = 0; interim <= MAX_INTERIM_RESPONSES; interim++) {
            ResponseHead head = readOne(input);
            if (head.status() >= 200) {
                return head;
            }
            if (head.status() == 101) {
                throw new ProtocolException("upstream switched protocols without being asked to");
            }
        }
        throw new ProtocolException("upstream sent more than " + MAX_INTERIM_RESPONSES + " interim responses");
    }

    private static ResponseHead readOne(ConnectionInput input) throws IOException {
        int scanned = 0;
        int end;
        while ((end = endOfHead(input.array(), input.position() + scanned, input.limit())) < 0) {
            scanned = Math.max(0, input.buffered() - 2);
            if (input.buffered() >= MAX_HEAD_BYTES) {
                throw new ProtocolException("upstream response head is longer than " + MAX_HEAD_BYTES + " bytes");
            }
            if (!input.fill(MAX_HEAD_BYTES)) {
                throw new EOFException(input.buffered() == 0
                        ? "upstream closed the connection before it answered"
                        : "upstream closed the connection in the middle of its response head");
            }
        }
        byte[] head = Arrays.copyOfRange(input.array(), input.position(), end);
        input.consumeTo(end);
        return parse(head);
    }

    /** The index just past the empty line that ends a head starting at or before {@code from}, or -1. */
    private static int endOfHead(byte[] bytes, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (bytes[i] == '\n') {
                if (i + 1 < limit && bytes[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < limit && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    private static ResponseHead parse(byte[] head) throws ProtocolException {
        int lineEnd = lineEnd(head, 0);
        // "HTTP/1.x 200 OK": the version, a space, three digits, then a space and a reason or the line's end.
        if (lineEnd < 12 || !startsWithVersion(head) || head[8] != ' ' || (lineEnd > 12 && head[12] != ' ')) {
            throw new ProtocolException("upstream sent a malformed status line");
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            if (head[i] < '0' || head[i] > '9') {
                throw new ProtocolException("upstream sent a malformed status line");
            }
            status = status * 10 + (head[i] - '0');
        }
        if (status < 100 || status > 599) {
            throw new ProtocolException("upstream sent status code " + status);
        }
        int[] offsets = new int[4 * 8];
        int count = 0;
        int lineStart = nextLine(head, lineEnd);
        while ((lineEnd = lineEnd(head, lineStart)) > lineStart) {
            if (count * 4 == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            readField(head, lineStart, lineEnd, offsets, 4 * count++);
            lineStart = nextLine(head, lineEnd);
        }
        return new ResponseHead(status, head[7] == '1', new ResponseHeaders(head, offsets, count));
    }

    /** {@code name ":" OWS value OWS}; records the name's and the trimmed value's bounds at {@code at}. */
    private static void readField(byte[] head, int start, int end, int[] offsets, int at) throws ProtocolException {
        int colon = start;
        while (colon < end && head[colon] != ':') {
            if (!HttpGrammar.isTokenChar(head[colon] & 0xFF)) {
                // Includes a line starting with whitespace (obsolete folding) and whitespace before the colon.
                throw new ProtocolException("upstream sent a malformed header field name");
            }
            colon++;
        }
        if (colon == start || colon == end) {
            throw new ProtocolException("upstream sent a header line without a name or a colon");
        }
        int valueStart = colon + 1;
        int valueEnd = end;
        while (valueStart < valueEnd && HttpGrammar.isWhitespace(head[valueStart])) {
            valueStart++;
        }
        while (valueEnd > valueStart && HttpGrammar.isWhitespace(head[valueEnd - 1])) {
            valueEnd--;
        }
        for (int i = valueStart; i < valueEnd; i++) {
            if (!HttpGrammar.isValueChar(head[i] & 0xFF)) {
                throw new ProtocolException("upstream sent a control character in a header value");
            }
        }
        offsets[at] = start;
        offsets[at + 1] = colon;
        offsets[at + 2] = valueStart;
        offsets[at + 3] = valueEnd;
    }

    private static boolean startsWithVersion(byte[] head) {
        return head[0] == 'H' && head[1] == 'T' && head[2] == 'T' && head[3] == 'P' && head[4] == '/'
                && head[5] == '1' && head[6] == '.' && (head[7] == '0' || head[7] == '1');
    }

    /** The end of the line starting at {@code from}, without its CR: the index of its LF or of the CR before it. */
    private static int lineEnd(byte[] head, int from) {
        int lf = from;
        while (head[lf] != '\n') {
            lf++;
        }
        return lf > from && head[lf - 1] == '\r' ? lf - 1 : lf;
    }

    private static int nextLine(byte[] head, int lineEnd) {
        return head[lineEnd] == '\r' ? lineEnd + 2 : lineEnd + 1;
    }
}
