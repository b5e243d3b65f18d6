package dev.tokenproxy.adapter.out.upstream.format.messages;

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

/**
 * Messages upstream → Chat Completions client (protocols §5 → §1). Text deltas become {@code content} chunks, thinking
 * deltas {@code reasoning_content}, a {@code tool_use} block a {@code tool_calls} entry (index, id, name) followed by
 * its {@code input_json_delta} fragments as {@code arguments}; {@code message_stop} becomes the finish chunk, the usage
 * chunk when the client asked for {@code stream_options.include_usage}, and {@code [DONE]}. The role chunk waits for
 * the first output; a failure after commit is the Chat error event and {@code [DONE]} (behaviour §6).
 */
public final class MessagesToChatStreamDialect implements StreamDialect<SseItem> {

    private final String provider;
    private final String echoModel;
    private final boolean includeUsage;
    private final long created;
    /** A tool_use block's chat tool-call index by its block index; Chat numbers calls 0, 1, ... as they start. */
    private final Map<Integer, Integer> toolIndex = new HashMap<>();
    private String completionId;
    private String model;
    private long inputTokens;
    private long cacheReadTokens;
    private long cacheWriteTokens;
    private long outputTokens;
    private String stopReason;
    private boolean roleSent;
    private boolean committed;
    private boolean sawContentBlock;
    private JsonNode upstreamError;

    /**
     * @param provider     the provider name failure signals carry
     * @param echoModel    the model name to answer with, or null to keep the upstream's
     * @param includeUsage the client asked for the usage chunk ({@code stream_options.include_usage})
     * @param created      the chunks' {@code created} (Messages has no timestamp), epoch seconds
     */
    public MessagesToChatStreamDialect(String provider, String echoModel, boolean includeUsage, long created) {
        this.provider = provider;
        this.echoModel = echoModel;
        this.includeUsage = includeUsage;
        this.created = created;
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
        return switch (type) {
            case "message_start" -> messageStart(json.path("message"));
            // A Chat stream has no keep-alive event; an SSE comment does the same for the client's idle timer.
            case "ping" -> new DialectStep.KeepAlive(SseFrames.comment("ping"));
            case "content_block_start" -> blockStart(json.path("index").asInt(), json.path("content_block"));
            case "content_block_delta" -> blockDelta(json.path("index").asInt(), json.path("delta"));
            case "message_delta" -> messageDelta(json);
            case "message_stop" -> stop();
            case "error" -> failure(json.get("error"));
            // content_block_stop and types a later API version adds say nothing a Chat client has a place for.
            default -> nothing();
        };
    }

    private DialectStep messageStart(JsonNode message) {
        if (message.hasNonNull("id")) {
            completionId = MessageToChatCompletion.completionId(message.path("id").asText());
        }
        if (message.hasNonNull("model")) {
            model = message.path("model").asText();
        }
        noteUsage(message.path("usage"));
        return nothing();
    }

    /** A text or thinking block may come with its content; a tool_use block's name is already output. */
    private DialectStep blockStart(int index, JsonNode block) {
        sawContentBlock = true;
        return switch (block.path("type").asText("")) {
            case "text" -> text("content", block.path("text").asText(""));
            case "thinking" -> text("reasoning_content", block.path("thinking").asText(""));
            case "tool_use" -> toolCall(index, block);
            default -> nothing();
        };
    }

    private DialectStep blockDelta(int index, JsonNode delta) {
        return switch (delta.path("type").asText("")) {
            case "text_delta" -> text("content", delta.path("text").asText(""));
            case "thinking_delta" -> text("reasoning_content", delta.path("thinking").asText(""));
            case "input_json_delta" -> arguments(index, delta.path("partial_json").asText(""));
            // A signature proves a thinking block, which Chat cannot carry back anyway.
            default -> nothing();
        };
    }

    private DialectStep text(String field, String text) {
        if (text.isEmpty()) {
            return nothing();
        }
        return new DialectStep.Emit(chunks(Shape.newObject().put(field, text)));
    }

    private DialectStep toolCall(int blockIndex, JsonNode block) {
        int index = toolIndex.size();
        toolIndex.put(blockIndex, index);
        ObjectNode call = Shape.newObject().put("index", index);
        call.put("id", block.path("id").asText());
        call.put("type", "function");
        ObjectNode function = call.putObject("function").put("name", block.path("name").asText());
        // A streamed block starts with an empty input and sends it in fragments; one that starts full has no others.
        JsonNode input = block.get("input");
        function.put("arguments", input != null && input.isObject() && !input.isEmpty() ? ChatJson.text(input) : "");
        return new DialectStep.Emit(chunks(toolCallsDelta(call)));
    }

    private DialectStep arguments(int blockIndex, String fragment) {
        Integer index = toolIndex.get(blockIndex);
        if (fragment.isEmpty() || index == null) {
            return nothing();
        }
        ObjectNode call = Shape.newObject().put("index", index);
        call.putObject("function").put("arguments", fragment);
        return new DialectStep.Emit(chunks(toolCallsDelta(call)));
    }

    private DialectStep messageDelta(JsonNode json) {
        String reason = ChatJson.scalar(json.path("delta"), "stop_reason");
        if (reason != null) {
            stopReason = reason;
        }
        noteUsage(json.path("usage"));
        return nothing();
    }

    /**
     * The end. Before commit, an answer that says nothing is an empty completion (behaviour §2) unless it stopped for
     * a reason the client must see (the token limit, a refusal).
     */
    private DialectStep stop() {
        String finishReason = MessageToChatCompletion.finishReason(stopReason, !toolIndex.isEmpty());
        if (!committed && (!sawContentBlock || "stop".equals(finishReason))) {
            return new DialectStep.Fail(rejected(Fault.EMPTY_COMPLETION), StreamBreak.BROKEN);
        }
        var frames = new ArrayList<byte[]>(chunks(null));
        ObjectNode finish = chunk(Shape.newObject());
        ((ObjectNode) finish.path("choices").get(0)).put("finish_reason", finishReason);
        frames.add(SseFrames.data(ChatJson.text(finish)));
        if (includeUsage) {
            ObjectNode usageChunk = chunk(null);
            usageChunk.set("usage", MessagesUsage.toChat(inputTokens, cacheReadTokens, cacheWriteTokens,
                    outputTokens));
            frames.add(SseFrames.data(ChatJson.text(usageChunk)));
        }
        frames.add(ChatStreamDialect.DONE);
        return new DialectStep.Finish(frames);
    }

    private DialectStep failure(JsonNode error) {
        upstreamError = error;
        return new DialectStep.Fail(MessagesErrorBody.describe(rejected(Fault.STREAM_BROKEN_BEFORE_OUTPUT), error),
                StreamBreak.ERROR_EVENT);
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

    /** Chat's terminal error: an error event naming the upstream's error when it sent one, then {@code [DONE]}. */
    @Override
    public List<byte[]> interruption(StreamBreak why) {
        String upstreamType = upstreamError == null ? null : ChatJson.scalar(upstreamError, "type");
        String upstreamMessage = upstreamError == null ? null : ChatJson.scalar(upstreamError, "message");
        ObjectNode body = Shape.newObject();
        body.putObject("error")
                .put("message", why == StreamBreak.ERROR_EVENT && upstreamMessage != null ? upstreamMessage
                        : switch (why) {
                            case ERROR_EVENT -> "The upstream reported an error before completing the response.";
                            case MALFORMED -> "The upstream sent a malformed stream event.";
                            case TIMED_OUT -> "The upstream went silent before completing the response.";
                            case BROKEN -> "The upstream connection ended before the response was complete.";
                        })
                .put("type", "upstream_error")
                .put("code", why == StreamBreak.ERROR_EVENT && upstreamType != null ? upstreamType
                        : why == StreamBreak.TIMED_OUT ? "upstream_timeout" : "stream_interrupted");
        return List.of(SseFrames.data(ChatJson.text(body)), ChatStreamDialect.DONE);
    }

    /**
     * {@code message_start} carries the input counts, {@code message_delta} the cumulative output (and, in newer API
     * versions, the input again): the last value of each wins.
     */
    private void noteUsage(JsonNode usage) {
        if (!usage.isObject()) {
            return;
        }
        inputTokens = usage.path("input_tokens").asLong(inputTokens);
        cacheReadTokens = usage.path("cache_read_input_tokens").asLong(cacheReadTokens);
        cacheWriteTokens = usage.path("cache_creation_input_tokens").asLong(cacheWriteTokens);
        outputTokens = usage.path("output_tokens").asLong(outputTokens);
    }

    private static ObjectNode toolCallsDelta(ObjectNode call) {
        ObjectNode delta = Shape.newObject();
        delta.putArray("tool_calls").add(call);
        return delta;
    }

    private static DialectStep nothing() {
        return new DialectStep.Hold(List.of());
    }

    /** The chunk for {@code delta}, after the role chunk when this is the first; null delta: only the role chunk. */
    private List<byte[]> chunks(ObjectNode delta) {
        var frames = new ArrayList<byte[]>(2);
        if (!roleSent) {
            roleSent = true;
            frames.add(SseFrames.data(ChatJson.text(chunk(Shape.newObject().put("role", "assistant")
                    .put("content", "")))));
        }
        if (delta != null) {
            frames.add(SseFrames.data(ChatJson.text(chunk(delta))));
        }
        return frames;
    }

    /** A chunk with one choice holding {@code delta}; null: the usage chunk's empty {@code choices}. */
    private ObjectNode chunk(ObjectNode delta) {
        if (completionId == null) {
            completionId = MessageToChatCompletion.completionId(null);
        }
        ObjectNode chunk = Shape.newObject();
        chunk.put("id", completionId);
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

    private AttemptSignal rejected(Fault fault) {
        return AttemptSignal.http(provider, MessagesOutcomes.REJECTED_2XX_STATUS).withFault(fault);
    }
}
