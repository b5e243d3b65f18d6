package dev.tokenproxy.adapter.out.upstream.http;

/** The character classes of HTTP/1.1 field syntax (RFC 9110 §5), shared by the request writer and response parser. */
final class HttpGrammar {

    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (char c = '!'; c <= '~'; c++) {
            TOKEN[c] = "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
        }
    }

    private HttpGrammar() {
    }

    /** {@code tchar} (§5.6.2): what a field name is made of. */
    static boolean isTokenChar(int c) {
        return c >= 0 && c < 256 && TOKEN[c];
    }

    /** Optional whitespace around a field value or a list item (§5.6.3): space or tab. */
    static boolean isWhitespace(int c) {
        return c == ' ' || c == '\t';
    }

    /** What a field value may hold (§5.5): visible characters, obs-text, space and tab; no other control. */
    static boolean isValueChar(int c) {
        return c == '\t' || (c >= 0x20 && c <= 0xFF && c != 0x7F);
    }
}
