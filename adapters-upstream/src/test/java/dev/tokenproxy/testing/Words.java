package dev.tokenproxy.testing;

import java.util.Arrays;
import java.util.List;

/** How the fake upstreams cut generated text into streamed deltas, and count its tokens. */
final class Words {

    private Words() { }

    /**
     * One piece per word, each keeping the whitespace that follows it, so the pieces concatenate back to the text.
     * An empty text has no pieces. Also the fakes' output token count.
     */
    static List<String> pieces(String text) {
        return Arrays.stream(text.split("(?<=\\s)(?=\\S)")).filter(piece -> !piece.isEmpty()).toList();
    }
}
