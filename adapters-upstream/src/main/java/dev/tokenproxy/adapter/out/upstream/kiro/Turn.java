package dev.tokenproxy.adapter.out.upstream.kiro;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** One turn of the conversation as Kiro sees it, while {@link KiroTurns} collects it. Mutable, local to one build. */
final class Turn {

    private final boolean assistant;
    private final StringBuilder text = new StringBuilder();
    private final List<ObjectNode> images = new ArrayList<>();
    private final List<ObjectNode> toolResults = new ArrayList<>();
    private final List<ObjectNode> toolUses = new ArrayList<>();

    private Turn(boolean assistant) {
        this.assistant = assistant;
    }

    static Turn ofUser() {
        return new Turn(false);
    }

    static Turn ofAssistant() {
        return new Turn(true);
    }

    boolean isAssistant() {
        return assistant;
    }

    void appendText(String more) {
        if (more.isEmpty()) {
            return;
        }
        if (!text.isEmpty()) {
            text.append("\n\n");
        }
        text.append(more);
    }

    void prependText(String before) {
        if (before.isEmpty()) {
            return;
        }
        text.insert(0, text.isEmpty() ? before : before + "\n\n");
    }

    /** The neighbour of the same role becomes part of this turn: Kiro wants strict alternation. */
    void absorb(Turn next) {
        appendText(next.text());
        images.addAll(next.images);
        toolResults.addAll(next.toolResults);
        toolUses.addAll(next.toolUses);
    }

    String text() {
        return text.toString();
    }

    List<ObjectNode> images() {
        return images;
    }

    List<ObjectNode> toolResults() {
        return toolResults;
    }

    List<ObjectNode> toolUses() {
        return toolUses;
    }
}
