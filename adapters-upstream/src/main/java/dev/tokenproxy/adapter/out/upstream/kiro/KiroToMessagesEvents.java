package dev.tokenproxy.adapter.out.upstream.kiro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.eventstream.EventStreamMessage;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Kiro's events → Anthropic Messages stream events (protocols.md §4, "→ Anthropic SSE"), for one attempt: the first
 * output opens the message, text and reasoning become text and thinking blocks, each new {@code toolUseId} a
 * {@code tool_use} block fed by {@code input_json_delta} fragments; {@link #finish()} closes the message with a stop
 * reason and usage. Works on plain Jackson trees; the shared Messages format types can replace them later.
 * Stateful and not thread-safe: one instance per attempt.
 */
public final class KiroToMessagesEvents {

    /** Kiro reports no token counts as a rule; a request's share of this window estimates its input tokens. */
    public static final int DEFAULT_CONTEXT_WINDOW_TOKENS = 200_000;
    /** The usual rough size of a token in English text and code, for the output estimate when Kiro gives no count. */
    private static final int CHARS_PER_TOKEN = 4;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private enum Block { NONE, TEXT, THINKING, TOOL_USE }

    private final String messageId;
    private final String model;
    private final int contextWindowTokens;
    private final UnaryOperator<String> clientToolName;
    private final ThinkingTagSplitter splitter = new ThinkingTagSplitter();

    private boolean started;
    private Block open = Block.NONE;
    private String openToolUseId;
    private int nextIndex;
    private boolean calledTools;
    private long outputChars;
    private String upstreamStopReason;
    private double contextUsagePercentage = -1;
    private JsonNode tokenUsage = MissingNode.getInstance();

    /**
     * @param model          the model name the client is shown
     * @param clientToolName Kiro's tool name → the client's (see {@link KiroRequestBody#clientToolName})
     */
    public KiroToMessagesEvents(String messageId, String model, int contextWindowTokens,
                                UnaryOperator<String> clientToolName) {
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.model = Objects.requireNonNull(model, "model");
        this.contextWindowTokens = contextWindowTokens;
        this.clientToolName = Objects.requireNonNull(clientToolName, "clientToolName");
    }

    /** What one decoded Kiro message means for the client. */
    public KiroEventStep on(EventStreamMessage message) {
        if (!"event".equals(message.messageType())) {
            JsonNode payload = parse(message.payload());
            String text = payload.path("message").asText(message.header(EventStreamMessage.ERROR_MESSAGE).orElse(""));
            return new KiroEventStep.Failed(message.type().orElse(message.messageType()), text);
        }
        String type = message.type().orElse("");
        JsonNode payload = unwrapped(type, parse(message.payload()));
        var events = new ArrayList<ObjectNode>();
        switch (type) {
            case "assistantResponseEvent" -> {
                for (var piece : splitter.feed(payload.path("content").asText(""))) {
                    appendPiece(piece, events);
                }
            }
            case "reasoningContentEvent" -> {
                String text = payload.path("text").asText(payload.path("thinkingText").asText(""));
                appendPiece(new ThinkingTagSplitter.Piece(true, text), events);
            }
            case "toolUseEvent" -> toolUse(payload, events);
            case "contextUsageEvent" -> contextUsagePercentage = payload.path("contextUsagePercentage").asDouble(-1);
            case "metadataEvent" -> {
                if (payload.has("tokenUsage")) {
                    tokenUsage = payload.get("tokenUsage");
                }
            }
            case "messageStopEvent" -> upstreamStopReason = payload.path("stopReason").asText(null);
            // meteringEvent counts credits, not tokens; followupPromptEvent, invalidStateEvent and the rest say
            // nothing the client can use.
            default -> { }
        }
        return new KiroEventStep.Events(events, !events.isEmpty());
    }

    /** Whether any output was sent: a stream that ends without any is empty, not complete. */
    public boolean anyOutput() {
        return started;
    }

    /** The end of the body: what is left of the text, the last block's stop, {@code message_delta}, {@code message_stop}. */
    public List<ObjectNode> finish() {
        var events = new ArrayList<ObjectNode>();
        for (var piece : splitter.flush()) {
            appendPiece(piece, events);
        }
        startMessage(events);
        closeBlock(events);
        ObjectNode delta = NODES.objectNode().put("stop_reason", stopReason());
        delta.putNull("stop_sequence");
        ObjectNode messageDelta = event("message_delta");
        messageDelta.set("delta", delta);
        messageDelta.set("usage", usage());
        events.add(messageDelta);
        events.add(event("message_stop"));
        return events;
    }

    private void appendPiece(ThinkingTagSplitter.Piece piece, List<ObjectNode> events) {
        if (piece.text().isEmpty()) {
            return;
        }
        Block kind = piece.thinking() ? Block.THINKING : Block.TEXT;
        if (open != kind) {
            startMessage(events);
            closeBlock(events);
            ObjectNode block = piece.thinking()
                    ? NODES.objectNode().put("type", "thinking").put("thinking", "").put("signature", "")
                    : NODES.objectNode().put("type", "text").put("text", "");
            openBlock(kind, block, events);
        }
        ObjectNode delta = piece.thinking()
                ? NODES.objectNode().put("type", "thinking_delta").put("thinking", piece.text())
                : NODES.objectNode().put("type", "text_delta").put("text", piece.text());
        events.add(blockDelta(delta));
        outputChars += piece.text().length();
    }

    private void toolUse(JsonNode payload, List<ObjectNode> events) {
        String id = payload.path("toolUseId").asText("");
        if (!(open == Block.TOOL_USE && id.equals(openToolUseId))) {
            startMessage(events);
            closeBlock(events);
            ObjectNode block = NODES.objectNode().put("type", "tool_use").put("id", id)
                    .put("name", clientToolName.apply(payload.path("name").asText("")));
            block.set("input", NODES.objectNode());
            openBlock(Block.TOOL_USE, block, events);
            openToolUseId = id;
            calledTools = true;
        }
        JsonNode input = payload.path("input");
        // Kiro sends input as JSON text in fragments; an object (seen from some proxies in front of it) is whole.
        String fragment = input.isTextual() ? input.textValue() : input.isObject() ? input.toString() : "";
        if (!fragment.isEmpty()) {
            events.add(blockDelta(NODES.objectNode().put("type", "input_json_delta").put("partial_json", fragment)));
            outputChars += fragment.length();
        }
        if (payload.path("stop").asBoolean(false)) {
            closeBlock(events);
        }
    }

    private void startMessage(List<ObjectNode> events) {
        if (started) {
            return;
        }
        started = true;
        ObjectNode message = NODES.objectNode().put("id", messageId).put("type", "message").put("role", "assistant")
                .put("model", model);
        message.set("content", NODES.arrayNode());
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.set("usage", NODES.objectNode().put("input_tokens", 0).put("output_tokens", 0));
        ObjectNode start = event("message_start");
        start.set("message", message);
        events.add(start);
    }

    private void openBlock(Block kind, ObjectNode block, List<ObjectNode> events) {
        ObjectNode start = event("content_block_start").put("index", nextIndex);
        start.set("content_block", block);
        events.add(start);
        open = kind;
    }

    private void closeBlock(List<ObjectNode> events) {
        if (open == Block.NONE) {
            return;
        }
        events.add(event("content_block_stop").put("index", nextIndex));
        nextIndex++;
        open = Block.NONE;
        openToolUseId = null;
    }

    private ObjectNode blockDelta(ObjectNode delta) {
        ObjectNode event = event("content_block_delta").put("index", nextIndex);
        event.set("delta", delta);
        return event;
    }

    private String stopReason() {
        if (upstreamStopReason != null && !upstreamStopReason.isBlank()) {
            return upstreamStopReason;
        }
        return calledTools ? "tool_use" : "end_turn";
    }

    private ObjectNode usage() {
        if (tokenUsage.has("outputTokens")) {
            ObjectNode usage = NODES.objectNode()
                    .put("input_tokens", tokenUsage.path("uncachedInputTokens").asLong(0))
                    .put("output_tokens", tokenUsage.path("outputTokens").asLong(0));
            if (tokenUsage.has("cacheReadInputTokens")) {
                usage.put("cache_read_input_tokens", tokenUsage.path("cacheReadInputTokens").asLong(0));
            }
            return usage;
        }
        long input = contextUsagePercentage < 0 ? 0 : Math.round(contextUsagePercentage / 100 * contextWindowTokens);
        return NODES.objectNode().put("input_tokens", input)
                .put("output_tokens", (outputChars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
    }

    private static ObjectNode event(String type) {
        return NODES.objectNode().put("type", type);
    }

    /** token_proxy also accepts a payload wrapped as {@code {"<eventType>":{…}}} (protocols.md §4). */
    private static JsonNode unwrapped(String type, JsonNode payload) {
        JsonNode inner = payload.path(type);
        return payload.size() == 1 && inner.isObject() ? inner : payload;
    }

    private static JsonNode parse(byte[] payload) {
        try {
            JsonNode json = ChatJson.mapper().readTree(new String(payload, StandardCharsets.UTF_8));
            return json == null ? MissingNode.getInstance() : json;
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }
}
