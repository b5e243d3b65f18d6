package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.NotConvertible;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A non-stream Responses {@code response} object as a Chat completion with one choice, for a Chat client served by a
 * Responses upstream.
 *
 * <p>Only a finished response converts: {@code completed} or {@code incomplete} (or no status at all). A
 * {@code failed}, {@code cancelled}, {@code queued} or {@code in_progress} one is no completion; its adapter
 * classifies it from the response's {@code error} instead.
 */
public final class ResponseToChatCompletion {

    private static final Set<String> FINISHED = Set.of("completed", "incomplete");
    private static final String RESPONSE_PREFIX = "resp_";
    private static final String COMPLETION_PREFIX = "chatcmpl";

    private ResponseToChatCompletion() {
    }

    /** @return the chat completion, or empty when the input is not a finished Responses {@code response} object */
    public static Optional<byte[]> convert(byte[] responseObject) {
        Optional<ObjectNode> response = ChatJson.object(responseObject);
        if (response.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ChatJson.bytes(completion(response.get())));
        } catch (NotConvertible notOfTheShape) {
            return Optional.empty();
        }
    }

    private static ObjectNode completion(ObjectNode response) throws NotConvertible {
        String status = Shape.string(response, "status");
        if (status != null && !FINISHED.contains(status)) {
            throw new NotConvertible("a " + status + " response is not a completion");
        }
        Output output = Output.of(Shape.array(response, "output"));

        ObjectNode message = Shape.newObject().put("role", "assistant");
        // Chat's convention: no text is null content, notably beside tool calls.
        if (output.text.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", output.text.toString());
        }
        if (!output.reasoning.isEmpty()) {
            message.put("reasoning_content", output.reasoning.toString());
        }
        if (!output.refusal.isEmpty()) {
            message.put("refusal", output.refusal.toString());
        }
        if (!output.toolCalls.isEmpty()) {
            message.set("tool_calls", output.toolCalls);
        }

        ObjectNode completion = Shape.newObject();
        completion.put("id", completionId(Shape.string(response, "id")));
        completion.put("object", "chat.completion");
        Shape.copy(response, "created_at", completion, "created");
        Shape.copy(response, "model", completion);
        ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
        choice.set("message", message);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason("incomplete".equals(status),
                Shape.string(response.path("incomplete_details"), "reason"), !output.toolCalls.isEmpty()));
        ObjectNode usage = TokenUsage.toChat(response.get("usage"));
        if (usage != null) {
            completion.set("usage", usage);
        }
        return completion;
    }

    /**
     * An incomplete response reports why it stopped even when it had started a tool call: a call cut off by the
     * token limit is not one the client can run. Any other incomplete reason reads as {@code length}, the Chat
     * reason that says "cut short".
     */
    private static String finishReason(boolean incomplete, String reason, boolean toolCalls) {
        if (incomplete) {
            return "content_filter".equals(reason) ? "content_filter" : "length";
        }
        return toolCalls ? "tool_calls" : "stop";
    }

    /** The id a {@link ChatCompletionToResponse} gave back to Chat form: {@code resp_chatcmpl-1} → {@code chatcmpl-1}. */
    static String completionId(String responseId) {
        if (responseId == null || responseId.isEmpty()) {
            // Clients key completions by id; without one from the upstream, a unique one beats a shared placeholder.
            return COMPLETION_PREFIX + "-" + UUID.randomUUID();
        }
        String bare = responseId.startsWith(RESPONSE_PREFIX) ? responseId.substring(RESPONSE_PREFIX.length()) : responseId;
        return bare.startsWith(COMPLETION_PREFIX) ? bare : COMPLETION_PREFIX + "-" + bare;
    }

    /** What the output items say, gathered in their order. */
    private static final class Output {

        private final StringBuilder text = new StringBuilder();
        private final StringBuilder reasoning = new StringBuilder();
        private final StringBuilder refusal = new StringBuilder();
        private final ArrayNode toolCalls = Shape.newArray();

        static Output of(ArrayNode items) throws NotConvertible {
            Output output = new Output();
            for (JsonNode element : items) {
                ObjectNode item = Shape.object(element, "an output item");
                switch (Shape.requiredString(item, "type")) {
                    case "message" -> output.addMessage(item);
                    case "reasoning" -> output.addReasoning(item);
                    case "function_call" -> output.toolCalls.addObject()
                            .put("id", Shape.requiredString(item, "call_id"))
                            .put("type", "function")
                            .putObject("function")
                            .put("name", Shape.requiredString(item, "name"))
                            .put("arguments", Shape.arguments(item));
                    // Hosted tool calls (web_search_call, file_search_call...) ran upstream; a Chat client has no
                    // form for them, and their findings are already in the message text.
                    default -> {
                    }
                }
            }
            return output;
        }

        /** Parts of one message are pieces of one text; separate messages are separate paragraphs. */
        private void addMessage(ObjectNode item) throws NotConvertible {
            StringBuilder messageText = new StringBuilder();
            for (JsonNode element : Shape.array(item, "content")) {
                ObjectNode part = Shape.object(element, "a content part");
                switch (Shape.requiredString(part, "type")) {
                    case "output_text" -> messageText.append(Shape.requiredString(part, "text"));
                    case "refusal" -> refusal.append(Shape.requiredString(part, "refusal"));
                    default -> {
                    }
                }
            }
            paragraph(text, messageText);
        }

        /** The summary the client was meant to see; a server that sends the full reasoning text instead gets that. */
        private void addReasoning(ObjectNode item) throws NotConvertible {
            StringBuilder summary = new StringBuilder();
            for (JsonNode element : Shape.array(item, "summary")) {
                paragraph(summary, Shape.requiredString(Shape.object(element, "a summary part"), "text"));
            }
            if (summary.isEmpty()) {
                for (JsonNode element : Shape.array(item, "content")) {
                    String text = Shape.string(Shape.object(element, "a reasoning part"), "text");
                    paragraph(summary, text == null ? "" : text);
                }
            }
            paragraph(reasoning, summary);
        }

        private static void paragraph(StringBuilder into, CharSequence text) {
            if (text.isEmpty()) {
                return;
            }
            if (!into.isEmpty()) {
                into.append("\n\n");
            }
            into.append(text);
        }
    }
}
