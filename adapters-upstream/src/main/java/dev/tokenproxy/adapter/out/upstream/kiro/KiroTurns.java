package dev.tokenproxy.adapter.out.upstream.kiro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Anthropic {@code messages} → Kiro turns: blocks sorted into text, images, tool results and tool uses; roles alternate. */
final class KiroTurns {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private KiroTurns() {
    }

    /** @param toolNames where shortened tool names are remembered (see {@link KiroRequestBody#kiroToolName}) */
    static List<Turn> of(JsonNode messages, Map<String, String> toolNames) {
        var turns = new ArrayList<Turn>();
        for (JsonNode message : messages) {
            Turn turn = "assistant".equals(message.path("role").asText()) ? Turn.ofAssistant() : Turn.ofUser();
            read(message.path("content"), turn, toolNames);
            if (!turns.isEmpty() && turns.getLast().isAssistant() == turn.isAssistant()) {
                turns.getLast().absorb(turn);
            } else {
                turns.add(turn);
            }
        }
        // History starts with the user: an assistant first (a prefilled conversation) gets a user turn before it.
        if (!turns.isEmpty() && turns.getFirst().isAssistant()) {
            turns.addFirst(Turn.ofUser());
        }
        return turns;
    }

    private static void read(JsonNode content, Turn turn, Map<String, String> toolNames) {
        if (content.isTextual()) {
            turn.appendText(content.textValue());
            return;
        }
        for (JsonNode block : content) {
            switch (block.path("type").asText()) {
                case "text" -> turn.appendText(block.path("text").asText(""));
                case "image" -> image(block).ifPresent(turn.images()::add);
                case "tool_result" -> turn.toolResults().add(toolResult(block));
                case "tool_use" -> turn.toolUses().add(toolUse(block, toolNames));
                // Thinking blocks of earlier turns carry Anthropic signatures Kiro cannot check; the answer text
                // that followed them stays. Other block types (documents, server tool results) have no Kiro form.
                default -> { }
            }
        }
    }

    private static Optional<ObjectNode> image(JsonNode block) {
        JsonNode source = block.path("source");
        if (!"base64".equals(source.path("type").asText())) {
            return Optional.empty();
        }
        String mediaType = source.path("media_type").asText("image/png");
        String format = mediaType.substring(mediaType.indexOf('/') + 1).toLowerCase(Locale.ROOT);
        ObjectNode image = NODES.objectNode().put("format", format);
        image.set("source", NODES.objectNode().put("bytes", source.path("data").asText("")));
        return Optional.of(image);
    }

    private static ObjectNode toolResult(JsonNode block) {
        var content = NODES.arrayNode();
        JsonNode result = block.path("content");
        if (result.isTextual()) {
            content.add(NODES.objectNode().put("text", result.textValue()));
        } else {
            for (JsonNode part : result) {
                if (part.path("text").isTextual()) {
                    content.add(NODES.objectNode().put("text", part.path("text").textValue()));
                }
            }
        }
        if (content.isEmpty()) {
            // An empty result is still an answer to the call; Kiro wants at least one content entry.
            content.add(NODES.objectNode().put("text", ""));
        }
        ObjectNode toolResult = NODES.objectNode().put("toolUseId", block.path("tool_use_id").asText())
                .put("status", block.path("is_error").asBoolean(false) ? "error" : "success");
        toolResult.set("content", content);
        return toolResult;
    }

    private static ObjectNode toolUse(JsonNode block, Map<String, String> toolNames) {
        ObjectNode toolUse = NODES.objectNode().put("toolUseId", block.path("id").asText())
                .put("name", KiroRequestBody.kiroToolName(block.path("name").asText(), toolNames));
        toolUse.set("input", block.path("input").isObject() ? block.get("input") : NODES.objectNode());
        return toolUse;
    }
}
