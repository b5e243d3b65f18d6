package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.NotConvertible;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Responses request body as a Chat Completions request body, for a Chat upstream serving a Responses client.
 *
 * <p>The Chat body is built field by field from what Chat can express; anything not named here is dropped by
 * construction. That covers the Responses-only fields: {@code store}, {@code include}, {@code prompt_cache_key},
 * {@code truncation}, {@code background}, {@code reasoning.summary}, {@code text.verbosity}, and
 * {@code previous_response_id}, which a Chat upstream cannot honour: it keeps no conversation, so the earlier
 * turns that id names are simply not part of what the model sees.
 */
public final class ResponsesToChatRequest {

    private ResponsesToChatRequest() {
    }

    /**
     * @param responsesRequest the client's {@code POST /v1/responses} body
     * @param upstreamModel    the model name the upstream knows
     * @return the Chat body, or empty when the input is not a JSON object of the Responses request shape
     */
    public static Optional<byte[]> convert(byte[] responsesRequest, String upstreamModel) {
        Optional<ObjectNode> request = ChatJson.object(responsesRequest);
        if (request.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ChatJson.bytes(chatRequest(request.get(), upstreamModel)));
        } catch (NotConvertible notOfTheShape) {
            return Optional.empty();
        }
    }

    private static ObjectNode chatRequest(ObjectNode request, String upstreamModel) throws NotConvertible {
        ObjectNode chat = Shape.newObject();
        chat.put("model", upstreamModel);
        chat.set("messages", messages(request));

        ArrayNode tools = tools(request);
        // OpenAI refuses tool_choice and parallel_tool_calls without tools; all tools may have been dropped.
        if (!tools.isEmpty()) {
            chat.set("tools", tools);
            JsonNode toolChoice = toolChoice(request.get("tool_choice"));
            if (toolChoice != null) {
                chat.set("tool_choice", toolChoice);
            }
            Shape.copy(request, "parallel_tool_calls", chat);
        }
        JsonNode responseFormat = responseFormat(request.path("text").get("format"));
        if (responseFormat != null) {
            chat.set("response_format", responseFormat);
        }
        Shape.copy(request, "max_output_tokens", chat, "max_completion_tokens");
        Shape.copy(request, "temperature", chat);
        Shape.copy(request, "top_p", chat);
        Shape.copy(request, "user", chat);
        Shape.copy(request, "metadata", chat);
        Shape.copy(request, "service_tier", chat);
        Shape.copy(request.path("reasoning"), "effort", chat, "reasoning_effort");

        JsonNode stream = request.get("stream");
        if (stream != null && stream.isBoolean()) {
            chat.set("stream", stream);
            // A Responses stream ends with usage in response.completed; a Chat stream has it only when asked for.
            if (stream.booleanValue()) {
                chat.putObject("stream_options").put("include_usage", true);
            }
        }
        return chat;
    }

    // --- messages ---------------------------------------------------------------------------------------------

    private static ArrayNode messages(ObjectNode request) throws NotConvertible {
        ArrayNode messages = Shape.newArray();
        String instructions = Shape.string(request, "instructions");
        if (instructions != null && !instructions.isEmpty()) {
            messages.addObject().put("role", "system").put("content", instructions);
        }
        JsonNode input = request.get("input");
        if (Shape.absent(input)) {
            return messages;
        }
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.textValue());
            return messages;
        }
        if (!input.isArray()) {
            throw new NotConvertible("input is neither a string nor an array");
        }
        for (JsonNode element : input) {
            ObjectNode item = Shape.object(element, "an input item");
            // An item without a type but with a role is the short message form the API also accepts.
            String type = item.has("type") ? Shape.requiredString(item, "type") : "message";
            switch (type) {
                case "message" -> messages.add(message(item));
                case "function_call" -> addToolCall(messages, item);
                case "function_call_output" -> messages.add(toolResult(item));
                // Reasoning is the upstream model's own state (often encrypted); a Chat upstream cannot take it back.
                // Other items (item_reference, hosted tool calls and their outputs) have no Chat form.
                default -> {
                }
            }
        }
        return messages;
    }

    private static ObjectNode message(ObjectNode item) throws NotConvertible {
        String role = Shape.requiredString(item, "role");
        ObjectNode message = Shape.newObject();
        // Developer becomes system: OpenAI treats system as developer for the models that know the difference,
        // while many OpenAI-compatible Chat servers refuse the developer role outright.
        message.put("role", "developer".equals(role) ? "system" : role);
        JsonNode content = item.get("content");
        if (content != null && content.isTextual()) {
            message.set("content", content);
            return message;
        }
        List<ObjectNode> parts = new ArrayList<>();
        StringBuilder refusal = new StringBuilder();
        for (JsonNode element : Shape.array(item, "content")) {
            ObjectNode part = Shape.object(element, "a content part");
            switch (Shape.requiredString(part, "type")) {
                case "input_text", "output_text" -> parts.add(textPart(Shape.requiredString(part, "text")));
                case "input_image" -> {
                    // An image given only by file_id lives in OpenAI's file store: Chat has no image part for it.
                    String url = Shape.string(part, "image_url");
                    if (url != null) {
                        ObjectNode image = Shape.newObject().put("type", "image_url");
                        ObjectNode imageUrl = image.putObject("image_url").put("url", url);
                        Shape.copy(part, "detail", imageUrl);
                        parts.add(image);
                    }
                }
                case "input_file" -> {
                    ObjectNode file = Shape.newObject().put("type", "file");
                    ObjectNode fields = file.putObject("file");
                    Shape.copy(part, "file_id", fields);
                    Shape.copy(part, "file_data", fields);
                    Shape.copy(part, "filename", fields);
                    parts.add(file);
                }
                case "refusal" -> refusal.append(Shape.requiredString(part, "refusal"));
                // Audio and any newer part type: nothing a Chat message is known to carry.
                default -> {
                }
            }
        }
        message.set("content", content(parts));
        if (!refusal.isEmpty()) {
            message.put("refusal", refusal.toString());
        }
        return message;
    }

    /**
     * Text alone becomes a plain string, the one content form every Chat server accepts for every role; parts are
     * joined by a newline so that two of them never run into one word. Images or files keep the parts array.
     */
    private static JsonNode content(List<ObjectNode> parts) {
        boolean textOnly = parts.stream().allMatch(part -> "text".equals(part.path("type").asText()));
        if (!textOnly) {
            ArrayNode array = Shape.newArray();
            parts.forEach(array::add);
            return array;
        }
        StringBuilder text = new StringBuilder();
        for (ObjectNode part : parts) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(part.path("text").asText());
        }
        return ChatJson.mapper().getNodeFactory().textNode(text.toString());
    }

    private static ObjectNode textPart(String text) {
        return Shape.newObject().put("type", "text").put("text", text);
    }

    /**
     * A function call joins the assistant message just before it: Chat has one assistant turn holding its text and
     * all its tool calls, where Responses lists a message item and then one item per call. Reasoning items between
     * them were dropped and do not break the turn.
     */
    private static void addToolCall(ArrayNode messages, ObjectNode item) throws NotConvertible {
        ObjectNode call = Shape.newObject();
        call.put("id", Shape.requiredString(item, "call_id"));
        call.put("type", "function");
        call.putObject("function")
                .put("name", Shape.requiredString(item, "name"))
                .put("arguments", Shape.arguments(item));

        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        ObjectNode assistant;
        if (last instanceof ObjectNode previous && "assistant".equals(previous.path("role").asText())) {
            assistant = previous;
        } else {
            assistant = messages.addObject().put("role", "assistant");
            assistant.putNull("content");
        }
        JsonNode calls = assistant.get("tool_calls");
        (calls instanceof ArrayNode array ? array : assistant.putArray("tool_calls")).add(call);
    }

    private static ObjectNode toolResult(ObjectNode item) throws NotConvertible {
        ObjectNode message = Shape.newObject().put("role", "tool");
        message.put("tool_call_id", Shape.requiredString(item, "call_id"));
        // Output given as content parts: a Chat tool message carries text only, so images and files are left out.
        message.put("content", Shape.text(item.get("output")));
        return message;
    }

    // --- tools and formats ------------------------------------------------------------------------------------

    /**
     * Function tools only. The others (web_search, file_search, code_interpreter, computer_use, mcp, custom...) are
     * run by OpenAI's Responses service itself or have no form a Chat server is known to accept, so none is offered.
     * Without {@code strict} a Responses tool is made strict by the service; it is left out here, keeping Chat's
     * best-effort default rather than having a Chat server refuse a schema that Responses would have normalised.
     */
    private static ArrayNode tools(ObjectNode request) throws NotConvertible {
        ArrayNode tools = Shape.newArray();
        for (JsonNode element : Shape.array(request, "tools")) {
            ObjectNode tool = Shape.object(element, "a tool");
            if (!"function".equals(Shape.string(tool, "type"))) {
                continue;
            }
            ObjectNode function = tools.addObject().put("type", "function").putObject("function");
            function.put("name", Shape.requiredString(tool, "name"));
            Shape.copy(tool, "description", function);
            Shape.copy(tool, "parameters", function);
            Shape.copy(tool, "strict", function);
        }
        return tools;
    }

    /** The choice, or null when there is none or it names a tool kind Chat does not have. */
    private static JsonNode toolChoice(JsonNode choice) throws NotConvertible {
        if (Shape.absent(choice) || choice.isTextual()) {
            return Shape.absent(choice) ? null : choice;
        }
        ObjectNode object = Shape.object(choice, "tool_choice");
        if (!"function".equals(Shape.string(object, "type"))) {
            return null;
        }
        ObjectNode chat = Shape.newObject().put("type", "function");
        chat.putObject("function").put("name", Shape.requiredString(object, "name"));
        return chat;
    }

    /** {@code text.format} as {@code response_format}, or null for plain text (Chat's default) or none. */
    private static JsonNode responseFormat(JsonNode format) throws NotConvertible {
        if (Shape.absent(format)) {
            return null;
        }
        ObjectNode object = Shape.object(format, "text.format");
        String type = Shape.requiredString(object, "type");
        return switch (type) {
            case "json_schema" -> {
                ObjectNode chat = Shape.newObject().put("type", "json_schema");
                ObjectNode schema = chat.putObject("json_schema");
                schema.put("name", Shape.requiredString(object, "name"));
                Shape.copy(object, "description", schema);
                Shape.copy(object, "schema", schema);
                Shape.copy(object, "strict", schema);
                yield chat;
            }
            case "json_object" -> Shape.newObject().put("type", "json_object");
            case "text" -> null;
            default -> throw new NotConvertible("text.format type " + type + " is unknown");
        };
    }
}
