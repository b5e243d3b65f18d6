package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.NotConvertible;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A non-stream Chat completion as a Responses {@code response} object, for a Responses client served by a Chat
 * upstream.
 *
 * <p>Output items come in the order a Responses model produces them: reasoning, the message, then one function_call
 * per tool call. Their ids are those of {@link ResponseIds}. Only the first choice is read: a Responses client asked
 * for one answer. A stream converter can assemble the chunks it saw into a completion and call this to get the
 * object of its terminal event.
 */
public final class ChatCompletionToResponse {

    private ChatCompletionToResponse() {
    }

    /**
     * The response gets the id {@link ResponseIds#response} makes of the completion's id, or a random one when the
     * upstream sent none.
     *
     * @return the response object, or empty when the input is not a JSON object of the chat completion shape
     */
    public static Optional<byte[]> convert(byte[] chatCompletion) {
        return convertWith(chatCompletion, null);
    }

    /**
     * @param responseId the id the response must have, e.g. the one a stream already announced
     * @return the response object, or empty when the input is not a JSON object of the chat completion shape
     */
    public static Optional<byte[]> convert(byte[] chatCompletion, String responseId) {
        return convertWith(chatCompletion, Objects.requireNonNull(responseId, "responseId"));
    }

    /** @param responseId the id to give, or null to derive it from the completion's */
    private static Optional<byte[]> convertWith(byte[] chatCompletion, String responseId) {
        Optional<ObjectNode> completion = ChatJson.object(chatCompletion);
        if (completion.isEmpty()) {
            return Optional.empty();
        }
        try {
            String id = responseId != null ? responseId : derivedId(completion.get());
            return Optional.of(ChatJson.bytes(response(completion.get(), id)));
        } catch (NotConvertible notOfTheShape) {
            return Optional.empty();
        }
    }

    private static String derivedId(ObjectNode completion) throws NotConvertible {
        String chatId = Shape.string(completion, "id");
        // Clients key responses by id; without one from the upstream, a unique one beats a shared placeholder.
        return ResponseIds.response(chatId == null || chatId.isEmpty() ? UUID.randomUUID().toString() : chatId);
    }

    private static ObjectNode response(ObjectNode completion, String id) throws NotConvertible {
        ArrayNode choices = Shape.array(completion, "choices");
        if (choices.isEmpty()) {
            throw new NotConvertible("choices is empty");
        }
        ObjectNode choice = Shape.object(choices.get(0), "choices[0]");
        ObjectNode message = Shape.object(choice.get("message"), "choices[0].message");
        String incompleteReason = incompleteReason(Shape.string(choice, "finish_reason"));
        String itemStatus = incompleteReason == null ? "completed" : "incomplete";

        ObjectNode response = Shape.newObject();
        response.put("id", id);
        response.put("object", "response");
        Shape.copy(completion, "created", response, "created_at");
        response.put("status", itemStatus);
        Shape.copy(completion, "model", response);
        response.putNull("error");
        if (incompleteReason == null) {
            response.putNull("incomplete_details");
        } else {
            response.putObject("incomplete_details").put("reason", incompleteReason);
        }
        response.set("output", output(message, id, itemStatus));
        response.set("usage", TokenUsage.fromChat(completion.get("usage")));
        return response;
    }

    /**
     * {@code stop} and {@code tool_calls} complete a response; so does no reason at all, which some servers send for
     * a finished non-stream answer. {@code length} and {@code content_filter} leave it incomplete.
     */
    private static String incompleteReason(String finishReason) {
        if (finishReason == null) {
            return null;
        }
        return switch (finishReason) {
            case "length" -> "max_output_tokens";
            case "content_filter" -> "content_filter";
            default -> null;
        };
    }

    private static ArrayNode output(ObjectNode message, String id, String itemStatus) throws NotConvertible {
        ArrayNode output = Shape.newArray();
        String reasoning = reasoning(message);
        if (!reasoning.isEmpty()) {
            ObjectNode item = output.addObject()
                    .put("id", ResponseIds.reasoning(id))
                    .put("type", "reasoning");
            item.putArray("summary").addObject().put("type", "summary_text").put("text", reasoning);
        }

        ArrayNode content = Shape.newArray();
        String text = Shape.text(message.get("content"));
        if (!text.isEmpty()) {
            content.addObject().put("type", "output_text").put("text", text).putArray("annotations");
        }
        String refusal = Shape.string(message, "refusal");
        if (refusal != null && !refusal.isEmpty()) {
            content.addObject().put("type", "refusal").put("refusal", refusal);
        }
        if (!content.isEmpty()) {
            output.addObject()
                    .put("id", ResponseIds.message(id))
                    .put("type", "message")
                    .put("status", itemStatus)
                    .put("role", "assistant")
                    .set("content", content);
        }

        ArrayNode calls = Shape.array(message, "tool_calls");
        for (int index = 0; index < calls.size(); index++) {
            ObjectNode call = Shape.object(calls.get(index), "a tool call");
            // Custom (free-form) tool calls answer tools that no conversion here offers upstream.
            if (call.hasNonNull("type") && !"function".equals(Shape.string(call, "type"))) {
                continue;
            }
            ObjectNode function = Shape.object(call.get("function"), "function");
            String callId = Shape.string(call, "id");
            // Some OpenAI-compatible servers leave the id out; the client needs one to send the output back.
            if (callId == null || callId.isEmpty()) {
                callId = ResponseIds.call(id, index);
            }
            output.addObject()
                    .put("id", ResponseIds.functionCall(callId))
                    .put("type", "function_call")
                    .put("status", itemStatus)
                    .put("call_id", callId)
                    .put("name", Shape.requiredString(function, "name"))
                    .put("arguments", Shape.arguments(function));
        }
        return output;
    }

    /** {@code reasoning_content}, or {@code reasoning}, the name vLLM and OpenRouter use; empty when neither. */
    private static String reasoning(ObjectNode message) throws NotConvertible {
        String reasoning = Shape.string(message, "reasoning_content");
        if (reasoning == null || reasoning.isEmpty()) {
            JsonNode other = message.get("reasoning");
            reasoning = other != null && other.isTextual() ? other.textValue() : null;
        }
        return reasoning == null ? "" : reasoning;
    }
}
