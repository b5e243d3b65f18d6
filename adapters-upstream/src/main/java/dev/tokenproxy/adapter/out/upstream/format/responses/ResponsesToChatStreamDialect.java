package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.TypedJsonEvents;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.DialectStep;
import dev.tokenproxy.adapter.out.upstream.stream.StreamBreak;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Responses upstream → Chat Completions client (protocols §2 → §1). Text deltas become {@code content} chunks,
 * reasoning deltas {@code reasoning_content}, a function call a {@code tool_calls} entry (index, id, name, then the
 * argument fragments); the terminal event becomes the finish chunk (stop, tool_calls, length, content_filter), the
 * usage chunk when the client asked for {@code stream_options.include_usage}, and {@code [DONE]}. The role chunk and a
 * call's header are held back until real output; a failure after commit is the Chat error event and {@code [DONE]}.
 */
public final class ResponsesToChatStreamDialect implements StreamDialect<SseItem> {

    private final String provider;
    private final String echoModel;
    private final boolean includeUsage;
    /** A call's chat index by its item id; Chat numbers tool calls 0, 1, ... in the order they start. */
    private final Map<String, Integer> toolIndex = new HashMap<>();
    private final Map<String, Boolean> argumentsSent = new HashMap<>();
    private String completionId;
    private long created;
    private String model;
    private boolean roleSent;
    private boolean committed;
    private boolean sawOutput;
    private JsonNode upstreamError;

    /**
     * @param provider     the provider name failure signals carry
     * @param echoModel    the model name to answer with, or null to keep the upstream's
     * @param includeUsage the client asked for the usage chunk ({@code stream_options.include_usage})
     */
    public ResponsesToChatStreamDialect(String provider, String echoModel, boolean includeUsage) {
        this.provider = provider;
        this.echoModel = echoModel;
        this.includeUsage = includeUsage;
    }

    @Override
    public void committed() {
        committed = true;
    }

    @Override
    public DialectStep step(SseItem item) {
        return TypedJsonEvents.step(item, this::malformed, this::event);
    }

    private DialectStep event(String type, ObjectNode json) {
        if (json.get("response") instanceof ObjectNode response) {
            note(response);
        }
        return switch (type) {
            case "response.output_text.delta" -> text("content", json);
            case "response.refusal.delta" -> text("refusal", json);
            case "response.reasoning_summary_text.delta", "response.reasoning_text.delta" ->
                    text("reasoning_content", json);
            case "response.output_item.added" -> itemAdded(json.path("item"));
            case "response.function_call_arguments.delta" -> arguments(json);
            case "response.output_item.done" -> itemDone(json.path("item"));
            case "response.completed", "response.incomplete" -> terminal(json.path("response"));
            case "response.failed" -> failure(json.path("response").get("error"));
            case "error" -> failure(json.get("error") instanceof ObjectNode nested ? nested : json);
            default -> new DialectStep.Hold(List.of());
        };
    }

    private DialectStep text(String field, JsonNode event) {
        String delta = ChatJson.scalar(event, "delta");
        if (delta == null || delta.isEmpty()) {
            return new DialectStep.Hold(List.of());
        }
        sawOutput = true;
        return new DialectStep.Emit(chunks(Shape.newObject().put(field, delta)));
    }

    /** A function call starts: its header (index, id, name) is held until arguments or its end make it output. */
    private DialectStep itemAdded(JsonNode item) {
        if (!"function_call".equals(item.path("type").asText())) {
            return new DialectStep.Hold(List.of());
        }
        return new DialectStep.Hold(chunks(toolCallHeader(item)));
    }

    private DialectStep arguments(JsonNode event) {
        String fragment = ChatJson.scalar(event, "delta");
        Integer index = toolIndex.get(event.path("item_id").asText());
        if (fragment == null || fragment.isEmpty() || index == null) {
            return new DialectStep.Hold(List.of());
        }
        argumentsSent.put(event.path("item_id").asText(), true);
        sawOutput = true;
        return new DialectStep.Emit(chunks(argumentsDelta(index, fragment)));
    }

    /** A finished call is output even with no arguments; arguments sent only here (not as deltas) go out now. */
    private DialectStep itemDone(JsonNode item) {
        if (!"function_call".equals(item.path("type").asText())) {
            return new DialectStep.Hold(List.of());
        }
        var frames = new ArrayList<byte[]>();
        String id = item.path("id").asText();
        if (!toolIndex.containsKey(id)) {
            frames.addAll(chunks(toolCallHeader(item)));
        }
        String arguments = item.path("arguments").asText("");
        if (!argumentsSent.containsKey(id) && !arguments.isEmpty()) {
            frames.addAll(chunks(argumentsDelta(toolIndex.get(id), arguments)));
        }
        sawOutput = true;
        return new DialectStep.Emit(frames);
    }

    private DialectStep terminal(JsonNode response) {
        boolean incomplete = "incomplete".equals(response.path("status").asText());
        var frames = new ArrayList<byte[]>();
        if (!sawOutput) {
            if (!incomplete && ResponsesOutput.isEmpty(response)) {
                return new DialectStep.Fail(rejected(Fault.EMPTY_COMPLETION), StreamBreak.BROKEN);
            }
            // The output came only in the final response (no deltas): deliver it as one chunk.
            wholeMessage(response).ifPresent(delta -> frames.addAll(chunks(delta)));
        }
        String reason = incomplete
                ? ("content_filter".equals(response.path("incomplete_details").path("reason").asText())
                        ? "content_filter" : "length")
                : toolIndex.isEmpty() ? "stop" : "tool_calls";
        ObjectNode finish = chunk(Shape.newObject());
        ((ObjectNode) finish.path("choices").get(0)).put("finish_reason", reason);
        frames.addAll(chunks(null));
        frames.add(SseFrames.data(ChatJson.text(finish)));
        ObjectNode usage = TokenUsage.toChat(response.get("usage"));
        if (includeUsage && usage != null) {
            ObjectNode usageChunk = chunk(null);
            usageChunk.set("usage", usage);
            frames.add(SseFrames.data(ChatJson.text(usageChunk)));
        }
        frames.add(ChatStreamDialect.DONE);
        return new DialectStep.Finish(frames);
    }

    /** The whole message of a response that streamed none of it, as one delta. */
    private Optional<ObjectNode> wholeMessage(JsonNode response) {
        return ResponseToChatCompletion.convert(ChatJson.bytes(response))
                .flatMap(ChatJson::object)
                .map(completion -> (ObjectNode) completion.path("choices").path(0).path("message"))
                .map(message -> {
                    ObjectNode delta = message.deepCopy();
                    delta.remove("role");
                    if (delta.path("content").isNull()) {
                        delta.remove("content");
                    }
                    int index = 0;
                    for (JsonNode call : delta.path("tool_calls")) {
                        ((ObjectNode) call).put("index", index);
                        toolIndex.put("whole_" + index, index);
                        index++;
                    }
                    return delta;
                });
    }

    private DialectStep failure(JsonNode error) {
        upstreamError = error;
        return new DialectStep.Fail(ResponsesFailure.signal(provider, error), StreamBreak.ERROR_EVENT);
    }

    @Override
    public DialectStep endOfBody() {
        return new DialectStep.Fail(rejected(Fault.STREAM_BROKEN_BEFORE_OUTPUT), StreamBreak.BROKEN);
    }

    @Override
    public DialectStep transportFailed(Fault fault) {
        StreamBreak after = fault == Fault.IDLE_TIMEOUT || fault == Fault.FIRST_OUTPUT_TIMEOUT
                ? StreamBreak.TIMED_OUT : StreamBreak.BROKEN;
        Fault before = fault == Fault.CONNECTION_RESET ? Fault.STREAM_BROKEN_BEFORE_OUTPUT : fault;
        return new DialectStep.Fail(AttemptSignal.http(provider, 0).withFault(before), after);
    }

    @Override
    public DialectStep malformed() {
        return new DialectStep.Fail(rejected(Fault.STREAM_BROKEN_BEFORE_OUTPUT), StreamBreak.MALFORMED);
    }

    /** Chat's terminal error: an error event naming the upstream's reason when it gave one, then {@code [DONE]}. */
    @Override
    public List<byte[]> interruption(StreamBreak why) {
        ObjectNode error = ResponsesEvents.interruptionError(why, upstreamError);
        error.put("type", "upstream_error");
        ObjectNode body = Shape.newObject();
        body.set("error", error);
        return List.of(SseFrames.data(ChatJson.text(body)), ChatStreamDialect.DONE);
    }

    private ObjectNode toolCallHeader(JsonNode item) {
        String id = item.path("id").asText();
        int index = toolIndex.computeIfAbsent(id, ignored -> toolIndex.size());
        ObjectNode call = Shape.newObject().put("index", index);
        call.put("id", item.path("call_id").asText(id));
        call.put("type", "function");
        call.putObject("function").put("name", item.path("name").asText()).put("arguments", "");
        ObjectNode delta = Shape.newObject();
        delta.putArray("tool_calls").add(call);
        return delta;
    }

    private static ObjectNode argumentsDelta(int index, String fragment) {
        ObjectNode call = Shape.newObject().put("index", index);
        call.putObject("function").put("arguments", fragment);
        ObjectNode delta = Shape.newObject();
        delta.putArray("tool_calls").add(call);
        return delta;
    }

    /** The chunk for {@code delta}, after the role chunk when this is the first; null delta: only the role chunk. */
    private List<byte[]> chunks(ObjectNode delta) {
        var frames = new ArrayList<byte[]>(2);
        if (!roleSent) {
            roleSent = true;
            frames.add(SseFrames.data(ChatJson.text(chunk(Shape.newObject().put("role", "assistant").put("content", "")))));
        }
        if (delta != null) {
            frames.add(SseFrames.data(ChatJson.text(chunk(delta))));
        }
        return frames;
    }

    /** A chunk with one choice holding {@code delta}; null: the usage chunk's empty {@code choices}. */
    private ObjectNode chunk(ObjectNode delta) {
        ObjectNode chunk = Shape.newObject();
        chunk.put("id", completionId());
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", echoModel != null ? echoModel : model == null ? "" : model);
        ArrayNode choices = chunk.putArray("choices");
        if (delta != null) {
            ObjectNode choice = choices.addObject().put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            choice.putNull("finish_reason");
        }
        return chunk;
    }

    private String completionId() {
        if (completionId == null) {
            completionId = ResponseToChatCompletion.completionId(null);
        }
        return completionId;
    }

    private void note(JsonNode response) {
        if (completionId == null && response.hasNonNull("id")) {
            completionId = ResponseToChatCompletion.completionId(response.path("id").asText());
        }
        if (response.path("created_at").isNumber()) {
            created = response.path("created_at").asLong();
        }
        if (response.hasNonNull("model")) {
            model = response.path("model").asText();
        }
    }

    private AttemptSignal rejected(Fault fault) {
        return AttemptSignal.http(provider, ResponsesFailure.REJECTED_2XX_STATUS).withFault(fault);
    }
}
