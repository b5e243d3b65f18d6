package dev.tokenproxy.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON documents of one Chat Completions reply (protocols.md §1), bound to the request they answer so that
 * every frame carries the same id, creation time and model.
 */
final class ChatFrames {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fixed so that tests can assert on totals; real upstreams count the prompt's tokens. */
    static final int PROMPT_TOKENS = 5;

    private final String id;
    private final long created;
    private final String model;
    private final boolean stream;
    private final boolean includeUsage;
    /** Null: {@link #PROMPT_TOKENS} in, the completion's own count out, no details. */
    private final Reply.Usage usage;

    ChatFrames(String id, long created, RecordedRequest request) {
        this(id, created, request.model(), request.stream(),
                request.json().path("stream_options").path("include_usage").asBoolean(false), null);
    }

    private ChatFrames(String id, long created, String model, boolean stream, boolean includeUsage, Reply.Usage usage) {
        this.id = id;
        this.created = created;
        this.model = model;
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.usage = usage;
    }

    /** These frames, reporting {@code usage} wherever a usage object is written. */
    ChatFrames reporting(Reply.Usage usage) {
        return new ChatFrames(id, created, model, stream, includeUsage, usage);
    }

    boolean stream() {
        return stream;
    }

    boolean includeUsage() {
        return includeUsage;
    }

    String completion(String content) {
        ObjectNode message = JSON.createObjectNode().put("role", "assistant").put("content", content);
        ObjectNode choice = JSON.createObjectNode().put("index", 0);
        choice.set("message", message);
        choice.put("finish_reason", "stop");
        ObjectNode completion = header("chat.completion");
        completion.putArray("choices").add(choice);
        completion.set("usage", usage(Words.pieces(content).size()));
        return write(completion);
    }

    /** A completion whose answer is one call of {@code name} with {@code arguments}, finish_reason tool_calls. */
    String toolCallCompletion(String callId, String name, String arguments) {
        ObjectNode message = JSON.createObjectNode().put("role", "assistant").putNull("content");
        message.putArray("tool_calls").add(toolCall(callId, name, arguments));
        ObjectNode choice = JSON.createObjectNode().put("index", 0);
        choice.set("message", message);
        choice.put("finish_reason", "tool_calls");
        ObjectNode completion = header("chat.completion");
        completion.putArray("choices").add(choice);
        completion.set("usage", usage(1));
        return write(completion);
    }

    /** The first delta of a streamed tool call: id, name and empty arguments (protocols.md §1). */
    String toolCallStartChunk(String callId, String name) {
        ObjectNode delta = JSON.createObjectNode();
        ObjectNode call = toolCall(callId, name, "").put("index", 0);
        delta.putArray("tool_calls").add(call);
        return chunk(delta, null);
    }

    /** A fragment of the streamed tool call's arguments. */
    String toolCallArgumentsChunk(String fragment) {
        ObjectNode delta = JSON.createObjectNode();
        ObjectNode call = JSON.createObjectNode().put("index", 0);
        call.putObject("function").put("arguments", fragment);
        delta.putArray("tool_calls").add(call);
        return chunk(delta, null);
    }

    String finishChunk(String finishReason) {
        return chunk(JSON.createObjectNode(), finishReason);
    }

    private static ObjectNode toolCall(String callId, String name, String arguments) {
        ObjectNode call = JSON.createObjectNode().put("id", callId).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", arguments);
        return call;
    }

    String roleChunk() {
        return chunk(JSON.createObjectNode().put("role", "assistant").put("content", ""), null);
    }

    String contentChunk(String piece) {
        return chunk(JSON.createObjectNode().put("content", piece), null);
    }

    String finishChunk() {
        return chunk(JSON.createObjectNode(), "stop");
    }

    /** The extra chunk sent before {@code [DONE]} when the request asked for {@code stream_options.include_usage}. */
    String usageChunk(int completionTokens) {
        ObjectNode chunk = header("chat.completion.chunk");
        chunk.putArray("choices");
        chunk.set("usage", usage(completionTokens));
        return write(chunk);
    }

    static String error(String type, String code, String message, String param) {
        ObjectNode error = JSON.createObjectNode().put("message", message).put("type", type)
                .put("param", param).put("code", code);
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        return write(body);
    }

    private String chunk(ObjectNode delta, String finishReason) {
        ObjectNode choice = JSON.createObjectNode().put("index", 0);
        choice.set("delta", delta);
        choice.put("finish_reason", finishReason);
        ObjectNode chunk = header("chat.completion.chunk");
        chunk.putArray("choices").add(choice);
        // With include_usage every chunk but the usage chunk carries "usage": null (protocols.md §1).
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return write(chunk);
    }

    private ObjectNode header(String object) {
        return JSON.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model);
    }

    private ObjectNode usage(int completionTokens) {
        if (usage == null) {
            return JSON.createObjectNode()
                    .put("prompt_tokens", PROMPT_TOKENS)
                    .put("completion_tokens", completionTokens)
                    .put("total_tokens", PROMPT_TOKENS + completionTokens);
        }
        ObjectNode given = JSON.createObjectNode().put("prompt_tokens", usage.promptTokens());
        given.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        given.put("completion_tokens", usage.completionTokens());
        given.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
        given.put("total_tokens", usage.promptTokens() + usage.completionTokens());
        return given;
    }

    private static String write(JsonNode json) {
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree built here always serialises", e);
        }
    }
}
