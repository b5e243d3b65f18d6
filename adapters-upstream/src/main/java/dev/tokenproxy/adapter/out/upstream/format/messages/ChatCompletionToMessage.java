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
 * A non-stream Chat completion as an Anthropic {@code message}, for a Messages client served by a Chat upstream
 * (protocols §1 → §5): the first choice's reasoning, text and tool calls become thinking, text and {@code tool_use}
 * blocks, in that order.
 */
public final class ChatCompletionToMessage {

    private static final String MESSAGE_PREFIX = "msg_";

    private ChatCompletionToMessage() {
    }

    /** @return the message, or empty when the input is not a chat completion of the expected shape */
    public static Optional<byte[]> convert(byte[] completion) {
        Optional<ObjectNode> parsed = ChatJson.object(completion);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ChatJson.bytes(message(parsed.get())));
        } catch (NotConvertible notOfTheShape) {
            return Optional.empty();
        }
    }

    private static ObjectNode message(ObjectNode completion) throws NotConvertible {
        ArrayNode choices = Shape.array(completion, "choices");
        if (choices.isEmpty()) {
            throw new NotConvertible("a completion without choices");
        }
        ObjectNode choice = Shape.object(choices.get(0), "a choice");
        ObjectNode chat = Shape.object(choice.get("message"), "message");

        ObjectNode message = Shape.newObject();
        message.put("id", messageId(Shape.string(completion, "id")));
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", Shape.string(completion, "model"));
        ArrayNode content = message.putArray("content");
        String reasoning = reasoning(chat);
        if (!reasoning.isEmpty()) {
            // No signature: the thinking was not Anthropic's; converting back to Chat drops it again.
            content.addObject().put("type", "thinking").put("thinking", reasoning).put("signature", "");
        }
        String text = Shape.text(chat.get("content"));
        if (!text.isEmpty()) {
            content.addObject().put("type", "text").put("text", text);
        }
        ArrayNode calls = Shape.array(chat, "tool_calls");
        for (JsonNode element : calls) {
            ObjectNode call = Shape.object(element, "a tool call");
            ObjectNode function = Shape.object(call.get("function"), "function");
            ObjectNode use = content.addObject().put("type", "tool_use")
                    .put("id", Shape.requiredString(call, "id"))
                    .put("name", Shape.requiredString(function, "name"));
            use.set("input", input(Shape.arguments(function)));
        }
        message.put("stop_reason", stopReason(Shape.string(choice, "finish_reason"), !calls.isEmpty()));
        message.putNull("stop_sequence");
        message.set("usage", MessagesUsage.fromChat(completion.get("usage")));
        return message;
    }

    /** {@code reasoning_content} (DeepSeek, vLLM) or {@code reasoning} (OpenRouter, some vLLM versions). */
    private static String reasoning(ObjectNode chat) throws NotConvertible {
        String reasoning = Shape.string(chat, "reasoning_content");
        if (reasoning == null || reasoning.isEmpty()) {
            JsonNode other = chat.get("reasoning");
            reasoning = other != null && other.isTextual() ? other.textValue() : "";
        }
        return reasoning;
    }

    /**
     * A model's arguments are meant to be a JSON object but are not always one; a Messages client needs an object,
     * so anything else is kept whole under one key rather than lost.
     */
    static ObjectNode input(String arguments) {
        if (arguments.isBlank()) {
            return Shape.newObject();
        }
        return ChatJson.object(arguments).orElseGet(() -> Shape.newObject().put("arguments", arguments));
    }

    /** Messages' stop reason for Chat's finish reason (protocols §1, §5). */
    static String stopReason(String finishReason, boolean toolCalls) {
        if (finishReason == null) {
            return toolCalls ? "tool_use" : "end_turn";
        }
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> toolCalls ? "tool_use" : "end_turn";
        };
    }

    /** {@code chatcmpl-1} → {@code msg_chatcmpl-1}: Messages ids start with {@code msg_}; the upstream's stays in it. */
    static String messageId(String completionId) {
        return MESSAGE_PREFIX + (completionId == null || completionId.isEmpty()
                ? UUID.randomUUID().toString().replace("-", "") : completionId);
    }
}
