package dev.tokenproxy.adapter.out.upstream.sse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Incremental {@code text/event-stream} parser (WHATWG HTML "Server-sent events", interpretation section).
 * Feed it bytes exactly as they came off the wire: it splits on {@code \n}, {@code \r\n} or {@code \r} and decodes
 * only whole lines, so a chunk boundary anywhere (mid-line, between {@code \r} and {@code \n}, inside a UTF-8
 * sequence) changes nothing. Not thread-safe: one reader owns it.
 */
public final class SseParser {

    /** Longest line accepted: far above any real chunk, low enough that a runaway upstream cannot exhaust memory. */
    public static final int DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final int maxLineBytes;
    private byte[] line = new byte[512];
    private int lineLength;
    /** The previous line ended with {@code \r}: a {@code \n} arriving next belongs to that line end. */
    private boolean afterCr;
    private boolean firstLine = true;
    private final StringBuilder data = new StringBuilder();
    private String type;

    public SseParser() {
        this(DEFAULT_MAX_LINE_BYTES);
    }

    public SseParser(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive");
        }
        this.maxLineBytes = maxLineBytes;
    }

    /** Consumes {@code length} bytes and returns the items they completed, in order (often none). */
    public List<SseItem> feed(byte[] bytes, int offset, int length) throws SseFormatException {
        List<SseItem> items = new ArrayList<>(2);
        int end = offset + length;
        int i = offset;
        while (i < end) {
            if (afterCr) {
                afterCr = false;
                if (bytes[i] == LF) {
                    i++;
                    continue;
                }
            }
            int lineEnd = findLineEnd(bytes, i, end);
            if (lineEnd < 0) {
                append(bytes, i, end - i);
                break;
            }
            append(bytes, i, lineEnd - i);
            afterCr = bytes[lineEnd] == CR;
            completeLine(items);
            i = lineEnd + 1;
        }
        return items;
    }

    /** Whether bytes of an event that was never terminated by a blank line are pending (it is dropped at the end). */
    public boolean hasIncompleteEvent() {
        return lineLength > 0 || !data.isEmpty();
    }

    private static int findLineEnd(byte[] bytes, int from, int end) {
        for (int i = from; i < end; i++) {
            if (bytes[i] == LF || bytes[i] == CR) {
                return i;
            }
        }
        return -1;
    }

    private void append(byte[] bytes, int from, int count) throws SseFormatException {
        if (count == 0) {
            return;
        }
        int needed = lineLength + count;
        if (needed > maxLineBytes) {
            throw new SseFormatException("event stream line longer than " + maxLineBytes + " bytes");
        }
        if (needed > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(needed, line.length * 2)));
        }
        System.arraycopy(bytes, from, line, lineLength, count);
        lineLength = needed;
    }

    private void completeLine(List<SseItem> items) {
        String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        if (firstLine) {
            firstLine = false;
            // The spec lets a stream start with a byte order mark.
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        }
        if (text.isEmpty()) {
            dispatch(items);
        } else if (text.charAt(0) == ':') {
            items.add(new SseItem.Comment(text.substring(1)));
        } else {
            field(text);
        }
    }

    private void field(String text) {
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (name) {
            case "data" -> data.append(value).append('\n');
            case "event" -> type = value;
            // id and retry drive browser reconnection, which a proxy never does; unknown fields are ignored by spec.
            default -> { }
        }
    }

    private void dispatch(List<SseItem> items) {
        if (!data.isEmpty()) {
            items.add(new SseItem.Event(type, data.substring(0, data.length() - 1)));
        }
        data.setLength(0);
        type = null;
    }
}
