package dev.tokenproxy.adapter.out.upstream.sse;

import java.nio.charset.StandardCharsets;

/** Writes events back onto the wire, one self-contained frame per event. */
public final class SseFrames {

    private SseFrames() {
    }

    /** {@code data: <data>\n\n}; data holding line breaks becomes several {@code data:} lines, as the format requires. */
    public static byte[] data(String data) {
        var frame = new StringBuilder(data.length() + 8);
        int start = 0;
        while (true) {
            int lineEnd = nextLineBreak(data, start);
            frame.append("data: ").append(data, start, lineEnd < 0 ? data.length() : lineEnd).append('\n');
            if (lineEnd < 0) {
                break;
            }
            start = data.charAt(lineEnd) == '\r' && lineEnd + 1 < data.length() && data.charAt(lineEnd + 1) == '\n'
                    ? lineEnd + 2 : lineEnd + 1;
        }
        return frame.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code event: <type>\ndata: <data>\n\n}: an event that names its type, as the Responses API sends them. */
    public static byte[] event(String type, String data) {
        byte[] body = data(data);
        byte[] head = ("event: " + type.replace('\r', ' ').replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[head.length + body.length];
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(body, 0, frame, head.length, body.length);
        return frame;
    }

    /** A comment frame ({@code :<text>\n\n}), the usual keep-alive. */
    public static byte[] comment(String text) {
        String oneLine = text.replace('\r', ' ').replace('\n', ' ');
        return (":" + oneLine + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static int nextLineBreak(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                return i;
            }
        }
        return -1;
    }
}
