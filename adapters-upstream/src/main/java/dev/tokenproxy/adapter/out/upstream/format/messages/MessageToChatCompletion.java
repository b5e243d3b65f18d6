package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.NotConvertible;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;
import java.util.Optional;
import java.util.UUID;

/**
 * A non-stream Anthropic {@code message} as a Chat completion with one choice, for a Chat client served by a Messages
 * upstream (protocols §5 → §1): text blocks are the content, thinking blocks {@code reasoning_content} (the name
 * DeepSeek and vLLM use), {@code tool_use} blocks {@code tool_calls} with their input as a string of JSON.
 */
public final class MessageToChatCompletion {

    private static final String COMPLETION_PREFIX = "chatcmpl-";

    private MessageToChatCompletion() {
    }

    /**
     * @param message the upstream's {@code message} object
     * @param created the completion's {@code created} (Messages has no timestamp), epoch seconds
     * @return the chat completion, or empty when the input is not a {@code message} of the expected shape
     */
    public static Optional<byte[]> convert(byte[] message, long created) {
        Optional<ObjectNode> parsed = ChatJson.object(message);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ChatJson.bytes(completion(parsed.get(), created)));
        } catch (NotConvertible notOfTheShape) {
            return Optional.empty();
        }
    }

    private static ObjectNode completion(ObjectNode message, long created) throws NotConvertible {
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode toolCalls = Shape.newArray();
        for (JsonNode element : Shape.array(message, "content")) {
            ObjectNode block = Shape.object(element, "a content block");
            switch (Shape.requiredString(block, "type")) {
                case "text" -> text.append(Shape.requiredString(block, "text"));
                case "thinking" -> reasoning.append(Shape.requiredString(block, "thinking"));
                case "tool_use" -> toolCalls.addObject()
                        .put("id", Shape.requiredString(block, "id"))
                        .put("type", "function")
                        .putObject("function")
                        .put("name", Shape.requiredString(block, "name"))
                        .put("arguments", ChatJson.text(Shape.object(block.get("input"), "tool input")));
                // redacted_thinking is encrypted; server tool blocks ran upstream and their findings are in the text.
                default -> {
                }
            }
        }
        ObjectNode chatMessage = Shape.newObject().put("role", "assistant");
        // Chat's convention: no text is null content, notably beside tool calls.
        if (text.isEmpty()) {
            chatMessage.putNull("content");
        } else {
            chatMessage.put("content", text.toString());
        }
        if (!reasoning.isEmpty()) {
            chatMessage.put("reasoning_content", reasoning.toString());
        }
        if (!toolCalls.isEmpty()) {
            chatMessage.set("tool_calls", toolCalls);
        }

        ObjectNode completion = Shape.newObject();
        completion.put("id", completionId(Shape.string(message, "id")));
        completion.put("object", "chat.completion");
        completion.put("created", created);
        Shape.copy(message, "model", completion);
        ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
        choice.set("message", chatMessage);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(Shape.string(message, "stop_reason"), !toolCalls.isEmpty()));
        ObjectNode usage = MessagesUsage.toChat(message.get("usage"));
        if (usage != null) {
            completion.set("usage", usage);
        }
        return completion;
    }

    /**
     * Chat's finish reason for Messages' stop reason (protocols §5): a natural end or a stop sequence is {@code stop},
     * the token limit {@code length}, a tool call {@code tool_calls}, a refusal {@code content_filter}.
     * {@code pause_turn} (a server tool's long turn paused) reads as {@code stop}: Chat has no way to resume it.
     */
    static String finishReason(String stopReason, boolean toolCalls) {
        if (stopReason == null) {
            return toolCalls ? "tool_calls" : "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    /** {@code msg_01...} → {@code chatcmpl-msg_01...}: the upstream's id stays findable in its logs. */
    static String completionId(String messageId) {
        return COMPLETION_PREFIX + (messageId == null || messageId.isEmpty() ? UUID.randomUUID() : messageId);
    }
}
