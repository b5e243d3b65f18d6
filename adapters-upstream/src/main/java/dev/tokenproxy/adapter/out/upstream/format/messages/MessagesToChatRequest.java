package dev.tokenproxy.adapter.out.upstream.format.messages;

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
 * An Anthropic Messages request body as a Chat Completions request body, for a Chat upstream serving a Messages client
 * such as Claude Code (protocols §5 → §1).
 *
 * <p>Built field by field; what Chat has no form for is dropped by construction: {@code thinking} and thinking blocks
 * (signed by Anthropic, meaningless elsewhere), {@code top_k}, {@code cache_control} marks, server tools
 * ({@code web_search_...}, {@code bash_...}: they run at Anthropic), {@code context_management} and {@code container}.
 */
public final class MessagesToChatRequest {

    private MessagesToChatRequest() {
    }

    /**
     * @param messagesRequest the client's {@code POST /v1/messages} body
     * @param upstreamModel   the model name the upstream knows
     * @return the Chat body, or empty when the input is not a JSON object of the Messages request shape
     */
    public static Optional<byte[]> convert(byte[] messagesRequest, String upstreamModel) {
        Optional<ObjectNode> request = ChatJson.object(messagesRequest);
        if (request.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ChatJson.bytes(chatRequest(request.get(), upstreamModel)));
        } catch (NotConvertible notOfTheShape) {
            return Optional.empty();
        }
    }

    private static ObjectNode chatRequest(ObjectNode anthropic, String upstreamModel) throws NotConvertible {
        ObjectNode request = Shape.newObject();
        request.put("model", upstreamModel);
        ArrayNode messages = request.putArray("messages");
        String system = system(anthropic.get("system"));
        if (!system.isEmpty()) {
            messages.addObject().put("role", "system").put("content", system);
        }
        for (JsonNode element : Shape.array(anthropic, "messages")) {
            ObjectNode message = Shape.object(element, "a message");
            switch (Shape.requiredString(message, "role")) {
                case "user" -> addUser(messages, message.get("content"));
                case "assistant" -> addAssistant(messages, message.get("content"));
                default -> throw new NotConvertible("a message role Messages does not have");
            }
        }
        ArrayNode tools = tools(anthropic);
        if (!tools.isEmpty()) {
            request.set("tools", tools);
            toolChoice(anthropic.get("tool_choice"), request);
        }
        // OpenAI's reasoning models refuse the deprecated max_tokens; max_completion_tokens is the name they all take.
        Shape.copy(anthropic, "max_tokens", request, "max_completion_tokens");
        Shape.copy(anthropic, "stop_sequences", request, "stop");
        Shape.copy(anthropic, "temperature", request);
        Shape.copy(anthropic, "top_p", request);
        String user = Shape.string(anthropic.path("metadata"), "user_id");
        if (user != null && !user.isEmpty()) {
            request.put("user", user);
        }
        JsonNode stream = anthropic.get("stream");
        if (stream != null && stream.isBoolean()) {
            request.set("stream", stream);
            if (stream.booleanValue()) {
                // A Messages stream always ends with usage; a Chat stream only when asked.
                request.putObject("stream_options").put("include_usage", true);
            }
        }
        return request;
    }

    /** {@code system} as a string or as text blocks; blocks are joined by a blank line. */
    private static String system(JsonNode system) throws NotConvertible {
        if (Shape.absent(system) || system.isTextual()) {
            return Shape.absent(system) ? "" : system.textValue();
        }
        return text(system, "\n\n");
    }

    /**
     * A user turn. Its {@code tool_result} blocks become {@code tool} messages, first, since they answer the calls of
     * the assistant turn just before; the rest of the turn follows as one user message.
     */
    private static void addUser(ArrayNode messages, JsonNode content) throws NotConvertible {
        if (content != null && content.isTextual()) {
            messages.addObject().put("role", "user").put("content", content.textValue());
            return;
        }
        List<ObjectNode> parts = new ArrayList<>();
        for (JsonNode element : array(content)) {
            ObjectNode block = Shape.object(element, "a content block");
            switch (Shape.requiredString(block, "type")) {
                case "text" -> parts.add(Shape.newObject().put("type", "text")
                        .put("text", Shape.requiredString(block, "text")));
                case "image" -> image(block).ifPresent(parts::add);
                case "tool_result" -> messages.addObject().put("role", "tool")
                        .put("tool_call_id", Shape.requiredString(block, "tool_use_id"))
                        .put("content", toolResultText(block));
                // documents, search results and newer block types: no Chat part is known to carry them.
                default -> {
                }
            }
        }
        if (!parts.isEmpty()) {
            messages.addObject().put("role", "user").set("content", content(parts));
        }
    }

    /** An assistant turn: its text as content, its {@code tool_use} blocks as tool calls. Thinking is dropped. */
    private static void addAssistant(ArrayNode messages, JsonNode content) throws NotConvertible {
        ObjectNode message = Shape.newObject().put("role", "assistant");
        if (content != null && content.isTextual()) {
            messages.add(message.put("content", content.textValue()));
            return;
        }
        StringBuilder text = new StringBuilder();
        ArrayNode calls = Shape.newArray();
        for (JsonNode element : array(content)) {
            ObjectNode block = Shape.object(element, "a content block");
            switch (Shape.requiredString(block, "type")) {
                case "text" -> text.append(Shape.requiredString(block, "text"));
                case "tool_use" -> calls.addObject()
                        .put("id", Shape.requiredString(block, "id"))
                        .put("type", "function")
                        .putObject("function")
                        .put("name", Shape.requiredString(block, "name"))
                        .put("arguments", ChatJson.text(Shape.object(block.get("input"), "tool input")));
                default -> {
                }
            }
        }
        if (text.isEmpty() && calls.isEmpty()) {
            return;
        }
        // Chat's convention: no text is null content beside tool calls.
        if (text.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", text.toString());
        }
        if (!calls.isEmpty()) {
            message.set("tool_calls", calls);
        }
        messages.add(message);
    }

    /** A tool's result as the text a Chat {@code tool} message carries; an error result says so, as Chat cannot. */
    private static String toolResultText(ObjectNode block) throws NotConvertible {
        JsonNode content = block.get("content");
        String text = Shape.absent(content) || content.isTextual() ? Shape.text(content) : text(content, "\n");
        JsonNode isError = block.get("is_error");
        return isError != null && isError.asBoolean(false) ? "Error: " + text : text;
    }

    /** A base64 image as a data URL, a url image as its URL; other sources (a file id) have no Chat form. */
    private static Optional<ObjectNode> image(ObjectNode block) throws NotConvertible {
        ObjectNode source = Shape.object(block.get("source"), "an image source");
        String url = switch (Shape.requiredString(source, "type")) {
            case "base64" -> "data:" + Shape.requiredString(source, "media_type") + ";base64,"
                    + Shape.requiredString(source, "data");
            case "url" -> Shape.requiredString(source, "url");
            default -> null;
        };
        if (url == null) {
            return Optional.empty();
        }
        ObjectNode part = Shape.newObject().put("type", "image_url");
        part.putObject("image_url").put("url", url);
        return Optional.of(part);
    }

    /** Text alone becomes a plain string, the form every Chat server accepts; with images the parts stay parts. */
    private static JsonNode content(List<ObjectNode> parts) {
        if (parts.stream().allMatch(part -> "text".equals(part.path("type").asText()))) {
            StringBuilder text = new StringBuilder();
            for (ObjectNode part : parts) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(part.path("text").asText());
            }
            return ChatJson.mapper().getNodeFactory().textNode(text.toString());
        }
        ArrayNode array = Shape.newArray();
        parts.forEach(array::add);
        return array;
    }

    /** The text blocks of a block list, joined by {@code separator}; other blocks are left out. */
    private static String text(JsonNode blocks, String separator) throws NotConvertible {
        StringBuilder text = new StringBuilder();
        for (JsonNode element : array(blocks)) {
            ObjectNode block = Shape.object(element, "a content block");
            if ("text".equals(Shape.string(block, "type"))) {
                if (!text.isEmpty()) {
                    text.append(separator);
                }
                text.append(Shape.requiredString(block, "text"));
            }
        }
        return text.toString();
    }

    private static ArrayNode array(JsonNode value) throws NotConvertible {
        if (Shape.absent(value)) {
            return Shape.newArray();
        }
        if (value instanceof ArrayNode array) {
            return array;
        }
        throw new NotConvertible("content is neither a string nor an array");
    }

    // --- tools ------------------------------------------------------------------------------------------------

    /** Client tools (no type, or {@code custom}); server tools run at Anthropic and are not offered. */
    private static ArrayNode tools(ObjectNode anthropic) throws NotConvertible {
        ArrayNode tools = Shape.newArray();
        for (JsonNode element : Shape.array(anthropic, "tools")) {
            ObjectNode tool = Shape.object(element, "a tool");
            String type = Shape.string(tool, "type");
            if (type != null && !"custom".equals(type)) {
                continue;
            }
            ObjectNode function = tools.addObject().put("type", "function").putObject("function");
            function.put("name", Shape.requiredString(tool, "name"));
            Shape.copy(tool, "description", function);
            Shape.copy(tool, "input_schema", function, "parameters");
        }
        return tools;
    }

    /** Messages' {@code auto}, {@code any}, {@code tool} and {@code none} are Chat's auto, required, a named function, none. */
    private static void toolChoice(JsonNode choice, ObjectNode request) throws NotConvertible {
        if (Shape.absent(choice)) {
            return;
        }
        ObjectNode object = Shape.object(choice, "tool_choice");
        switch (Shape.requiredString(object, "type")) {
            case "auto" -> request.put("tool_choice", "auto");
            case "any" -> request.put("tool_choice", "required");
            case "none" -> request.put("tool_choice", "none");
            case "tool" -> request.putObject("tool_choice").put("type", "function")
                    .putObject("function").put("name", Shape.requiredString(object, "name"));
            default -> throw new NotConvertible("tool_choice type is unknown");
        }
        JsonNode disableParallel = object.get("disable_parallel_tool_use");
        if (disableParallel != null && disableParallel.asBoolean(false)) {
            request.put("parallel_tool_calls", false);
        }
    }
}
