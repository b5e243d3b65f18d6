package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.NotConvertible;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;
import java.util.Optional;

/**
 * A Chat Completions request body as an Anthropic Messages request body, for a Messages upstream serving a Chat client
 * (protocols §1 → §5).
 *
 * <p>Built field by field; Chat fields Messages has no form for are dropped by construction: {@code n} (one answer is
 * all Messages returns), {@code seed}, {@code logprobs}, {@code logit_bias}, the penalties, {@code response_format}
 * (Messages has no JSON mode: the instructions in the prompt are all the model gets), {@code reasoning_effort} and
 * {@code stream_options} (a Messages stream always reports usage).
 */
public final class ChatToMessagesRequest {

    /**
     * {@code max_tokens} when the client sets no limit: Messages requires one and Chat does not. 4096 is the largest
     * output every Claude model accepts (Claude 3 Haiku's maximum, Anthropic's models overview); a larger default would
     * be refused by the models with a lower maximum. Clients that want longer answers say so.
     */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    /** Messages' temperature range is 0 to 1, Chat's 0 to 2 (Anthropic API reference, "temperature"). */
    private static final double MAX_TEMPERATURE = 1.0;

    private ChatToMessagesRequest() {
    }

    /**
     * @param chatRequest   the client's {@code POST /v1/chat/completions} body
     * @param upstreamModel the model name the upstream knows
     * @return the Messages body, or empty when the input is not a JSON object of the Chat request shape
     */
    public static Optional<byte[]> convert(byte[] chatRequest, String upstreamModel) {
        Optional<ObjectNode> request = ChatJson.object(chatRequest);
        if (request.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ChatJson.bytes(messagesRequest(request.get(), upstreamModel)));
        } catch (NotConvertible notOfTheShape) {
            return Optional.empty();
        }
    }

    private static ObjectNode messagesRequest(ObjectNode chat, String upstreamModel) throws NotConvertible {
        ObjectNode request = Shape.newObject();
        request.put("model", upstreamModel);
        request.put("max_tokens", maxTokens(chat));
        StringBuilder system = new StringBuilder();
        ArrayNode messages = messages(chat, system);
        if (!system.isEmpty()) {
            request.put("system", system.toString());
        }
        request.set("messages", messages);

        ArrayNode tools = tools(chat);
        if (!tools.isEmpty()) {
            request.set("tools", tools);
            ObjectNode toolChoice = toolChoice(chat);
            if (toolChoice != null) {
                request.set("tool_choice", toolChoice);
            }
        }
        ArrayNode stop = stopSequences(chat.get("stop"));
        if (!stop.isEmpty()) {
            request.set("stop_sequences", stop);
        }
        JsonNode temperature = chat.get("temperature");
        if (temperature != null && temperature.isNumber()) {
            request.put("temperature", Math.min(temperature.asDouble(), MAX_TEMPERATURE));
        } else {
            // Newer Claude models refuse temperature and top_p together; temperature wins when both are set.
            Shape.copy(chat, "top_p", request);
        }
        String user = Shape.string(chat, "user");
        if (user != null && !user.isEmpty()) {
            request.putObject("metadata").put("user_id", user);
        }
        JsonNode stream = chat.get("stream");
        if (stream != null && stream.isBoolean()) {
            request.set("stream", stream);
        }
        return request;
    }

    /** {@code max_tokens} is Chat's deprecated name: a client sending both means the newer one. */
    private static long maxTokens(ObjectNode chat) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode value = chat.get(field);
            if (value != null && value.canConvertToLong() && value.asLong() > 0) {
                return value.asLong();
            }
        }
        return DEFAULT_MAX_TOKENS;
    }

    // --- messages ---------------------------------------------------------------------------------------------

    /**
     * The conversation as Messages turns. System and developer messages go to {@code system} wherever they stood:
     * Messages has one place for them. Tool results become {@code tool_result} blocks of a user turn; consecutive
     * turns of one role are merged, since Messages wants a tool's result first in the user turn right after its call.
     */
    private static ArrayNode messages(ObjectNode chat, StringBuilder system) throws NotConvertible {
        ArrayNode turns = Shape.newArray();
        for (JsonNode element : Shape.array(chat, "messages")) {
            ObjectNode message = Shape.object(element, "a message");
            String role = Shape.requiredString(message, "role");
            switch (role) {
                case "system", "developer" -> {
                    String text = Shape.text(message.get("content"));
                    if (!text.isEmpty()) {
                        if (!system.isEmpty()) {
                            system.append("\n\n");
                        }
                        system.append(text);
                    }
                }
                case "user" -> append(turns, "user", userContent(message));
                case "assistant" -> append(turns, "assistant", assistantContent(message));
                case "tool" -> append(turns, "user", toolResult(message));
                // The legacy function role has no call id to answer, so it cannot become a tool_result.
                default -> throw new NotConvertible("role " + role + " has no Messages form");
            }
        }
        return turns;
    }

    /** Adds the blocks as a turn of {@code role}, or to the last turn when it has that role already. */
    private static void append(ArrayNode turns, String role, ArrayNode blocks) {
        if (blocks.isEmpty()) {
            return;
        }
        JsonNode last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last instanceof ObjectNode previous && role.equals(previous.path("role").asText())) {
            ((ArrayNode) previous.get("content")).addAll(blocks);
            return;
        }
        turns.addObject().put("role", role).set("content", blocks);
    }

    private static ArrayNode userContent(ObjectNode message) throws NotConvertible {
        ArrayNode blocks = Shape.newArray();
        JsonNode content = message.get("content");
        if (content != null && content.isTextual()) {
            addText(blocks, content.textValue());
            return blocks;
        }
        for (JsonNode element : Shape.array(message, "content")) {
            ObjectNode part = Shape.object(element, "a content part");
            switch (Shape.requiredString(part, "type")) {
                case "text" -> addText(blocks, Shape.requiredString(part, "text"));
                case "image_url" -> blocks.add(image(part.get("image_url")));
                // input_audio, file and newer part types: no Messages block is known to carry them.
                default -> {
                }
            }
        }
        return blocks;
    }

    /** Messages refuses empty text blocks, and an empty text says nothing anyway. */
    private static void addText(ArrayNode blocks, String text) {
        if (!text.isEmpty()) {
            blocks.addObject().put("type", "text").put("text", text);
        }
    }

    /** A data URL becomes a base64 source, any other URL a url source. */
    private static ObjectNode image(JsonNode imageUrl) throws NotConvertible {
        // Some clients send the URL itself rather than {url, detail}.
        String url = imageUrl != null && imageUrl.isTextual() ? imageUrl.textValue()
                : Shape.requiredString(Shape.object(imageUrl, "image_url"), "url");
        ObjectNode block = Shape.newObject().put("type", "image");
        ObjectNode source = block.putObject("source");
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            String header = comma < 0 ? "" : url.substring("data:".length(), comma);
            if (!header.endsWith(";base64")) {
                throw new NotConvertible("an image data URL that is not base64");
            }
            source.put("type", "base64")
                    .put("media_type", header.substring(0, header.length() - ";base64".length()))
                    .put("data", url.substring(comma + 1));
        } else {
            source.put("type", "url").put("url", url);
        }
        return block;
    }

    /** An assistant turn: its text, then one {@code tool_use} block per tool call, in order. */
    private static ArrayNode assistantContent(ObjectNode message) throws NotConvertible {
        ArrayNode blocks = Shape.newArray();
        addText(blocks, Shape.text(message.get("content")));
        // reasoning_content is dropped: Messages takes back only its own signed thinking blocks.
        for (JsonNode element : Shape.array(message, "tool_calls")) {
            ObjectNode call = Shape.object(element, "a tool call");
            // Custom (free-form) tool calls are not offered upstream (see tools), so none can be answered.
            if (call.hasNonNull("type") && !"function".equals(Shape.string(call, "type"))) {
                continue;
            }
            ObjectNode function = Shape.object(call.get("function"), "function");
            ObjectNode use = blocks.addObject().put("type", "tool_use")
                    .put("id", Shape.requiredString(call, "id"))
                    .put("name", Shape.requiredString(function, "name"));
            use.set("input", input(Shape.arguments(function)));
        }
        return blocks;
    }

    /** Chat's arguments are a string of JSON; Messages' input is the object itself. */
    private static ObjectNode input(String arguments) throws NotConvertible {
        if (arguments.isBlank()) {
            return Shape.newObject();
        }
        return ChatJson.object(arguments).orElseThrow(() -> new NotConvertible("tool arguments are not a JSON object"));
    }

    private static ArrayNode toolResult(ObjectNode message) throws NotConvertible {
        ArrayNode blocks = Shape.newArray();
        blocks.addObject().put("type", "tool_result")
                .put("tool_use_id", Shape.requiredString(message, "tool_call_id"))
                .put("content", Shape.text(message.get("content")));
        return blocks;
    }

    // --- tools ------------------------------------------------------------------------------------------------

    private static ArrayNode tools(ObjectNode chat) throws NotConvertible {
        ArrayNode tools = Shape.newArray();
        for (JsonNode element : Shape.array(chat, "tools")) {
            ObjectNode tool = Shape.object(element, "a tool");
            if (!"function".equals(Shape.string(tool, "type"))) {
                continue;
            }
            ObjectNode function = Shape.object(tool.get("function"), "function");
            ObjectNode anthropic = tools.addObject().put("name", Shape.requiredString(function, "name"));
            Shape.copy(function, "description", anthropic);
            JsonNode parameters = function.get("parameters");
            // Messages requires a schema; Chat's "no parameters" is a function that takes an empty object.
            anthropic.set("input_schema", Shape.absent(parameters)
                    ? Shape.newObject().put("type", "object") : parameters);
        }
        return tools;
    }

    /**
     * Chat's {@code auto}, {@code required}, {@code none} and a named function are Messages' {@code auto},
     * {@code any}, {@code none} and {@code tool}; {@code parallel_tool_calls: false} is Messages'
     * {@code disable_parallel_tool_use}, which lives on the choice.
     */
    private static ObjectNode toolChoice(ObjectNode chat) throws NotConvertible {
        JsonNode choice = chat.get("tool_choice");
        ObjectNode anthropic = null;
        if (choice != null && choice.isTextual()) {
            anthropic = switch (choice.textValue()) {
                case "auto" -> Shape.newObject().put("type", "auto");
                case "required" -> Shape.newObject().put("type", "any");
                case "none" -> Shape.newObject().put("type", "none");
                default -> throw new NotConvertible("tool_choice " + choice.textValue() + " is unknown");
            };
        } else if (!Shape.absent(choice)) {
            ObjectNode object = Shape.object(choice, "tool_choice");
            if ("function".equals(Shape.string(object, "type"))) {
                String name = Shape.requiredString(Shape.object(object.get("function"), "tool_choice.function"),
                        "name");
                anthropic = Shape.newObject().put("type", "tool").put("name", name);
            }
        }
        JsonNode parallel = chat.get("parallel_tool_calls");
        if (parallel != null && parallel.isBoolean() && !parallel.booleanValue()) {
            if (anthropic == null) {
                anthropic = Shape.newObject().put("type", "auto");
            }
            if (!"none".equals(anthropic.path("type").asText())) {
                anthropic.put("disable_parallel_tool_use", true);
            }
        }
        return anthropic;
    }

    private static ArrayNode stopSequences(JsonNode stop) throws NotConvertible {
        ArrayNode sequences = Shape.newArray();
        if (Shape.absent(stop)) {
            return sequences;
        }
        if (stop.isTextual()) {
            sequences.add(stop.textValue());
            return sequences;
        }
        if (!stop.isArray()) {
            throw new NotConvertible("stop is neither a string nor an array");
        }
        for (JsonNode sequence : stop) {
            if (!sequence.isTextual()) {
                throw new NotConvertible("a stop sequence is not a string");
            }
            sequences.add(sequence.textValue());
        }
        return sequences;
    }
}
