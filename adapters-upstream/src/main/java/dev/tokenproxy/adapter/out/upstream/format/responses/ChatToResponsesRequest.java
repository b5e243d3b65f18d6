package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.NotConvertible;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;
import java.util.Optional;

/**
 * A Chat Completions request body as a Responses request body, for a Responses upstream serving a Chat client.
 *
 * <p>The body is built field by field; Chat fields Responses does not have are dropped by construction:
 * {@code n} (one choice is all a Responses upstream returns), {@code stop}, {@code seed}, {@code logprobs},
 * {@code logit_bias}, the penalties, {@code stream_options} (a Responses stream always ends with usage) and the
 * legacy {@code functions}/{@code function_call}.
 */
public final class ChatToResponsesRequest {

    private ChatToResponsesRequest() {
    }

    /**
     * @param chatRequest   the client's {@code POST /v1/chat/completions} body
     * @param upstreamModel the model name the upstream knows
     * @return the Responses body, or empty when the input is not a JSON object of the Chat request shape
     */
    public static Optional<byte[]> convert(byte[] chatRequest, String upstreamModel) {
        Optional<ObjectNode> request = ChatJson.object(chatRequest);
        if (request.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ChatJson.bytes(responsesRequest(request.get(), upstreamModel)));
        } catch (NotConvertible notOfTheShape) {
            return Optional.empty();
        }
    }

    private static ObjectNode responsesRequest(ObjectNode chat, String upstreamModel) throws NotConvertible {
        ObjectNode request = Shape.newObject();
        request.put("model", upstreamModel);
        StringBuilder instructions = new StringBuilder();
        ArrayNode input = input(chat, instructions);
        if (!instructions.isEmpty()) {
            request.put("instructions", instructions.toString());
        }
        request.set("input", input);

        ArrayNode tools = tools(chat);
        if (!tools.isEmpty()) {
            request.set("tools", tools);
            JsonNode toolChoice = toolChoice(chat.get("tool_choice"));
            if (toolChoice != null) {
                request.set("tool_choice", toolChoice);
            }
            Shape.copy(chat, "parallel_tool_calls", request);
        }
        JsonNode format = textFormat(chat.get("response_format"));
        if (format != null) {
            request.putObject("text").set("format", format);
        }
        // max_tokens is the deprecated name; a client sending both means the newer one.
        Shape.copy(chat, "max_tokens", request, "max_output_tokens");
        Shape.copy(chat, "max_completion_tokens", request, "max_output_tokens");
        Shape.copy(chat, "temperature", request);
        Shape.copy(chat, "top_p", request);
        Shape.copy(chat, "user", request);
        Shape.copy(chat, "metadata", request);
        Shape.copy(chat, "service_tier", request);
        Shape.copy(chat, "prompt_cache_key", request);
        JsonNode effort = chat.get("reasoning_effort");
        if (!Shape.absent(effort)) {
            request.putObject("reasoning").set("effort", effort);
        }
        // Chat stores nothing unless asked to; Responses stores by default. Keep the client's Chat meaning.
        JsonNode store = chat.get("store");
        request.put("store", store != null && store.isBoolean() && store.booleanValue());
        JsonNode stream = chat.get("stream");
        if (stream != null && stream.isBoolean()) {
            request.set("stream", stream);
        }
        return request;
    }

    // --- input ------------------------------------------------------------------------------------------------

    /**
     * The conversation as input items. System and developer messages go to {@code instructions}, in order and
     * separated by a blank line, wherever they stood: Responses has one place for them.
     */
    private static ArrayNode input(ObjectNode chat, StringBuilder instructions) throws NotConvertible {
        ArrayNode input = Shape.newArray();
        for (JsonNode element : Shape.array(chat, "messages")) {
            ObjectNode message = Shape.object(element, "a message");
            String role = Shape.requiredString(message, "role");
            switch (role) {
                case "system", "developer" -> {
                    String text = Shape.text(message.get("content"));
                    if (!text.isEmpty()) {
                        if (!instructions.isEmpty()) {
                            instructions.append("\n\n");
                        }
                        instructions.append(text);
                    }
                }
                case "user" -> input.add(userMessage(message));
                case "assistant" -> addAssistant(input, message);
                case "tool" -> input.addObject()
                        .put("type", "function_call_output")
                        .put("call_id", Shape.requiredString(message, "tool_call_id"))
                        .put("output", Shape.text(message.get("content")));
                // The legacy function role has no call id to answer, so it cannot become a function_call_output.
                default -> throw new NotConvertible("role " + role + " has no Responses form");
            }
        }
        return input;
    }

    private static ObjectNode userMessage(ObjectNode message) throws NotConvertible {
        ObjectNode item = Shape.newObject().put("type", "message").put("role", "user");
        ArrayNode content = item.putArray("content");
        JsonNode chatContent = message.get("content");
        if (chatContent != null && chatContent.isTextual()) {
            content.addObject().put("type", "input_text").put("text", chatContent.textValue());
            return item;
        }
        for (JsonNode element : Shape.array(message, "content")) {
            ObjectNode part = Shape.object(element, "a content part");
            switch (Shape.requiredString(part, "type")) {
                case "text" -> content.addObject().put("type", "input_text")
                        .put("text", Shape.requiredString(part, "text"));
                case "image_url" -> {
                    JsonNode image = part.get("image_url");
                    // Some clients send the URL itself rather than {url, detail}.
                    String url = image != null && image.isTextual() ? image.textValue()
                            : Shape.requiredString(Shape.object(image, "image_url"), "url");
                    ObjectNode inputImage = content.addObject().put("type", "input_image").put("image_url", url);
                    // detail is required by Responses; auto is what Chat assumes when it is left out.
                    String detail = image != null && image.isObject() ? Shape.string(image, "detail") : null;
                    inputImage.put("detail", detail == null ? "auto" : detail);
                }
                case "file" -> {
                    ObjectNode file = Shape.object(part.get("file"), "file");
                    ObjectNode inputFile = content.addObject().put("type", "input_file");
                    Shape.copy(file, "file_id", inputFile);
                    Shape.copy(file, "file_data", inputFile);
                    Shape.copy(file, "filename", inputFile);
                }
                // input_audio and newer part types: no Responses input part is known to carry them.
                default -> {
                }
            }
        }
        return item;
    }

    /** An assistant turn: its text as a message item, then one function_call item per tool call, in order. */
    private static void addAssistant(ArrayNode input, ObjectNode message) throws NotConvertible {
        ArrayNode content = Shape.newArray();
        String text = Shape.text(message.get("content"));
        if (!text.isEmpty()) {
            content.addObject().put("type", "output_text").put("text", text);
        }
        String refusal = Shape.string(message, "refusal");
        if (refusal != null && !refusal.isEmpty()) {
            content.addObject().put("type", "refusal").put("refusal", refusal);
        }
        // reasoning_content is dropped: a Responses upstream takes back only its own (encrypted) reasoning items.
        if (!content.isEmpty()) {
            input.addObject().put("type", "message").put("role", "assistant").set("content", content);
        }
        for (JsonNode element : Shape.array(message, "tool_calls")) {
            ObjectNode call = Shape.object(element, "a tool call");
            // Custom (free-form) tool calls are not offered upstream (see tools), so none can be answered.
            if (!"function".equals(Shape.string(call, "type")) && call.hasNonNull("type")) {
                continue;
            }
            ObjectNode function = Shape.object(call.get("function"), "function");
            input.addObject()
                    .put("type", "function_call")
                    .put("call_id", Shape.requiredString(call, "id"))
                    .put("name", Shape.requiredString(function, "name"))
                    .put("arguments", Shape.arguments(function));
        }
    }

    // --- tools and formats ------------------------------------------------------------------------------------

    /**
     * Function tools, flattened. {@code strict} is always written: a Responses upstream makes a tool without it
     * strict (and rewrites its schema), while the Chat client that left it out asked for Chat's non-strict default.
     */
    private static ArrayNode tools(ObjectNode chat) throws NotConvertible {
        ArrayNode tools = Shape.newArray();
        for (JsonNode element : Shape.array(chat, "tools")) {
            ObjectNode tool = Shape.object(element, "a tool");
            if (!"function".equals(Shape.string(tool, "type"))) {
                continue;
            }
            ObjectNode function = Shape.object(tool.get("function"), "function");
            ObjectNode flat = tools.addObject().put("type", "function");
            flat.put("name", Shape.requiredString(function, "name"));
            Shape.copy(function, "description", flat);
            Shape.copy(function, "parameters", flat);
            JsonNode strict = function.get("strict");
            flat.put("strict", strict != null && strict.isBoolean() && strict.booleanValue());
        }
        return tools;
    }

    /** The choice, or null when there is none or it is of a kind not carried over. */
    private static JsonNode toolChoice(JsonNode choice) throws NotConvertible {
        if (Shape.absent(choice) || choice.isTextual()) {
            return Shape.absent(choice) ? null : choice;
        }
        ObjectNode object = Shape.object(choice, "tool_choice");
        if (!"function".equals(Shape.string(object, "type"))) {
            return null;
        }
        String name = Shape.requiredString(Shape.object(object.get("function"), "tool_choice.function"), "name");
        return Shape.newObject().put("type", "function").put("name", name);
    }

    /** {@code response_format} as {@code text.format}, or null when there is none. */
    private static JsonNode textFormat(JsonNode responseFormat) throws NotConvertible {
        if (Shape.absent(responseFormat)) {
            return null;
        }
        ObjectNode object = Shape.object(responseFormat, "response_format");
        String type = Shape.requiredString(object, "type");
        return switch (type) {
            case "json_schema" -> {
                ObjectNode jsonSchema = Shape.object(object.get("json_schema"), "response_format.json_schema");
                ObjectNode format = Shape.newObject().put("type", "json_schema");
                format.put("name", Shape.requiredString(jsonSchema, "name"));
                Shape.copy(jsonSchema, "description", format);
                Shape.copy(jsonSchema, "schema", format);
                Shape.copy(jsonSchema, "strict", format);
                yield format;
            }
            case "json_object", "text" -> Shape.newObject().put("type", type);
            default -> throw new NotConvertible("response_format type " + type + " is unknown");
        };
    }
}
