package dev.tokenproxy.adapter.out.upstream.kiro;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits Kiro's answer text into thinking and text where the model wrote its reasoning inline as
 * {@code <thinking>…</thinking>} (protocols.md §4), across deltas that may cut a tag anywhere. Only a tag that opens
 * the answer counts: the same word later in the text is the model talking about tags.
 */
final class ThinkingTagSplitter {

    static final String OPEN = "<thinking>";
    static final String CLOSE = "</thinking>";

    /** A piece of the answer, and whether it is reasoning. */
    record Piece(boolean thinking, String text) { }

    private final StringBuilder pending = new StringBuilder();
    private boolean sawText;
    private boolean inThinking;
    private boolean thinkingDone;

    List<Piece> feed(String delta) {
        pending.append(delta);
        var pieces = new ArrayList<Piece>();
        while (!pending.isEmpty()) {
            if (inThinking) {
                if (!take(CLOSE, true, pieces)) {
                    break;
                }
                inThinking = false;
                thinkingDone = true;
            } else if (!sawText && !thinkingDone) {
                String start = pending.toString().stripLeading();
                if (start.startsWith(OPEN)) {
                    pending.setLength(0);
                    pending.append(start.substring(OPEN.length()));
                    inThinking = true;
                } else if (OPEN.startsWith(start)) {
                    break; // maybe the start of the tag: wait for more
                } else {
                    sawText = true;
                }
            } else {
                pieces.add(new Piece(false, pending.toString()));
                pending.setLength(0);
            }
        }
        return pieces;
    }

    /** What is held back at the end of the answer (a tag that never closed, or a lone {@code <thi}). */
    List<Piece> flush() {
        if (pending.isEmpty()) {
            return List.of();
        }
        var last = new Piece(inThinking, pending.toString());
        pending.setLength(0);
        return List.of(last);
    }

    /**
     * Emits the pending text up to {@code tag} as one piece and drops the tag; without the tag, emits all but a tail
     * that could be its start.
     *
     * @return whether the tag was found
     */
    private boolean take(String tag, boolean thinking, List<Piece> pieces) {
        int at = pending.indexOf(tag);
        if (at >= 0) {
            add(pieces, thinking, pending.substring(0, at));
            // The newline models put after a closing tag belongs to neither part.
            int after = at + tag.length();
            while (after < pending.length() && pending.charAt(after) == '\n') {
                after++;
            }
            pending.delete(0, after);
            return true;
        }
        int keep = partialTagAtEnd(tag);
        add(pieces, thinking, pending.substring(0, pending.length() - keep));
        pending.delete(0, pending.length() - keep);
        return false;
    }

    private int partialTagAtEnd(String tag) {
        for (int length = Math.min(tag.length() - 1, pending.length()); length > 0; length--) {
            if (pending.substring(pending.length() - length).equals(tag.substring(0, length))) {
                return length;
            }
        }
        return 0;
    }

    private static void add(List<Piece> pieces, boolean thinking, String text) {
        if (!text.isEmpty()) {
            pieces.add(new Piece(thinking, text));
        }
    }
}
