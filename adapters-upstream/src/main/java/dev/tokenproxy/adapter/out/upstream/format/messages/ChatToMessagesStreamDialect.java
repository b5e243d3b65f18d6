package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatChunk;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatStreamSignals;
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
 * Chat Completions upstream → Messages client (protocols §1 → §5). The first chunk opens the message
 * ({@code message_start}, held back until real output); reasoning, content and each tool call open a content block of
 * their kind ({@code content_block_start}), their deltas follow as {@code thinking_delta}, {@code text_delta} and
 * {@code input_json_delta}, and a change of kind closes the open block ({@code content_block_stop}). {@code [DONE]}
 * closes the last block and sends {@code message_delta} with the stop reason and the usage, then {@code message_stop};
 * a failure after commit is an {@code error} event (behaviour §6).
 */
public final class ChatToMessagesStreamDialect implements StreamDialect<SseItem> {

    private enum Kind { THINKING, TEXT, TOOL_USE }

    private final String provider;
    private final String echoModel;
    /** A tool call's content block index by its Chat tool-call index. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    private Kind openKind;
    private int openIndex = -1;
    private int nextIndex;
    private String messageId;
    private String model;
    private JsonNode usage;
    private String finishReason;
    private boolean started;
    private boolean committed;
    private boolean sawOutput;
    private String upstreamMessage;

    /**
     * @param provider  the provider name failure signals carry
     * @param echoModel the model name to answer with, or null to keep the upstream's
     */
    public ChatToMessagesStreamDialect(String provider, String echoModel) {
        this.provider = provider;
        this.echoModel = echoModel;
    }

    @Override
    public void committed() {
        committed = true;
    }

    @Override
    public DialectStep step(SseItem item) {
        return switch (item) {
            case SseItem.Comment comment -> new DialectStep.KeepAlive(SseFrames.comment(comment.text()));
            case SseItem.Event event -> chunk(ChatChunk.of(event.data()));
        };
    }

    private DialectStep chunk(ChatChunk chunk) {
        return switch (chunk.kind()) {
            case DONE -> end(true);
            case MALFORMED -> malformed();
            case ERROR -> {
                upstreamMessage = ChatJson.scalar(chunk.json().path("error"), "message");
                yield new DialectStep.Fail(ChatStreamSignals.errorEvent(provider, chunk.json().get("error")),
                        StreamBreak.ERROR_EVENT);
            }
            case OUTPUT, SILENT -> translate(chunk.json());
        };
    }

    private DialectStep translate(ObjectNode chunk) {
        var frames = new ArrayList<byte[]>();
        if (model == null) {
            model = echoModel != null ? echoModel : ChatJson.scalar(chunk, "model");
        }
        if (messageId == null) {
            messageId = ChatCompletionToMessage.messageId(ChatJson.scalar(chunk, "id"));
        }
        start(frames);
        if (chunk.hasNonNull("usage")) {
            usage = chunk.get("usage");
        }
        boolean output = false;
        for (JsonNode choice : chunk.path("choices")) {
            // Messages has one answer: only the first choice can be translated (n > 1 is a Chat feature).
            if (choice.path("index").asInt(0) != 0) {
                continue;
            }
            JsonNode delta = choice.path("delta");
            output |= text(Kind.THINKING, delta.get("reasoning_content"), frames)
                    | text(Kind.THINKING, delta.get("reasoning"), frames)
                    | text(Kind.TEXT, delta.get("content"), frames)
                    | toolCalls(delta.path("tool_calls"), frames);
            String finish = ChatJson.scalar(choice, "finish_reason");
            if (finish != null) {
                finishReason = finish;
            }
        }
        sawOutput |= output;
        return output ? new DialectStep.Emit(frames) : new DialectStep.Hold(frames);
    }

    private boolean text(Kind kind, JsonNode value, List<byte[]> frames) {
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            return false;
        }
        if (openKind != kind) {
            ObjectNode block = kind == Kind.TEXT ? Shape.newObject().put("type", "text").put("text", "")
                    : Shape.newObject().put("type", "thinking").put("thinking", "").put("signature", "");
            open(kind, block, frames);
        }
        ObjectNode delta = kind == Kind.TEXT
                ? Shape.newObject().put("type", "text_delta").put("text", value.textValue())
                : Shape.newObject().put("type", "thinking_delta").put("thinking", value.textValue());
        frames.add(blockDelta(openIndex, delta));
        return true;
    }

    /** A call's first chunk (with its id and name) opens its block; its argument fragments are input deltas. */
    private boolean toolCalls(JsonNode calls, List<byte[]> frames) {
        boolean output = false;
        for (JsonNode call : calls) {
            int chatIndex = call.path("index").asInt(toolBlocks.size());
            Integer block = toolBlocks.get(chatIndex);
            if (block == null) {
                ObjectNode toolUse = Shape.newObject().put("type", "tool_use")
                        .put("id", call.path("id").asText(""))
                        .put("name", call.path("function").path("name").asText(""));
                toolUse.putObject("input");
                open(Kind.TOOL_USE, toolUse, frames);
                block = openIndex;
                toolBlocks.put(chatIndex, block);
                output = true;
            }
            String fragment = ChatJson.scalar(call.path("function"), "arguments");
            if (fragment != null && !fragment.isEmpty()) {
                frames.add(blockDelta(block, Shape.newObject().put("type", "input_json_delta")
                        .put("partial_json", fragment)));
                output = true;
            }
        }
        return output;
    }

    private void open(Kind kind, ObjectNode block, List<byte[]> frames) {
        closeOpenBlock(frames);
        openKind = kind;
        openIndex = nextIndex++;
        ObjectNode start = Shape.newObject().put("index", openIndex);
        start.set("content_block", block);
        frames.add(event("content_block_start", start));
    }

    private void closeOpenBlock(List<byte[]> frames) {
        if (openKind != null) {
            frames.add(event("content_block_stop", Shape.newObject().put("index", openIndex)));
            openKind = null;
        }
    }

    private void start(List<byte[]> frames) {
        if (started) {
            return;
        }
        started = true;
        if (messageId == null) {
            messageId = ChatCompletionToMessage.messageId(null);
        }
        ObjectNode message = Shape.newObject().put("id", messageId).put("type", "message").put("role", "assistant")
                .put("model", model == null ? "" : model);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        // The counts come with the last chunk; message_delta carries them, as Anthropic's own late counts do.
        message.set("usage", MessagesUsage.fromChat(null));
        ObjectNode start = Shape.newObject();
        start.set("message", message);
        frames.add(event("message_start", start));
    }

    @Override
    public DialectStep endOfBody() {
        return end(false);
    }

    /** The chat stream ended, with its {@code [DONE]} or without. */
    private DialectStep end(boolean sawDone) {
        if (!sawDone && finishReason == null) {
            return new DialectStep.Fail(ChatStreamSignals.rejected(provider, Fault.STREAM_BROKEN_BEFORE_OUTPUT),
                    StreamBreak.BROKEN);
        }
        boolean deliverableWithoutOutput = finishReason != null && !"stop".equals(finishReason);
        if (!committed && !sawOutput && !deliverableWithoutOutput) {
            return new DialectStep.Fail(ChatStreamSignals.rejected(provider, Fault.EMPTY_COMPLETION),
                    StreamBreak.BROKEN);
        }
        var frames = new ArrayList<byte[]>();
        start(frames);
        closeOpenBlock(frames);
        ObjectNode delta = Shape.newObject();
        delta.putObject("delta")
                .put("stop_reason", ChatCompletionToMessage.stopReason(finishReason, !toolBlocks.isEmpty()))
                .putNull("stop_sequence");
        delta.set("usage", MessagesUsage.fromChat(usage));
        frames.add(event("message_delta", delta));
        frames.add(event("message_stop", Shape.newObject()));
        return new DialectStep.Finish(frames);
    }

    @Override
    public DialectStep transportFailed(Fault fault) {
        // Finished and only [DONE] (or the usage chunk) missing: the answer is whole.
        if (committed && finishReason != null) {
            return end(false);
        }
        StreamBreak after = fault == Fault.IDLE_TIMEOUT || fault == Fault.FIRST_OUTPUT_TIMEOUT
                ? StreamBreak.TIMED_OUT : StreamBreak.BROKEN;
        Fault before = fault == Fault.CONNECTION_RESET ? Fault.STREAM_BROKEN_BEFORE_OUTPUT : fault;
        return new DialectStep.Fail(AttemptSignal.http(provider, 0).withFault(before), after);
    }

    @Override
    public DialectStep malformed() {
        return new DialectStep.Fail(ChatStreamSignals.rejected(provider, Fault.STREAM_BROKEN_BEFORE_OUTPUT),
                StreamBreak.MALFORMED);
    }

    /** An Anthropic {@code error} event, with the upstream's message when its error event gave one. */
    @Override
    public List<byte[]> interruption(StreamBreak why) {
        JsonNode error = why == StreamBreak.ERROR_EVENT && upstreamMessage != null
                ? Shape.newObject().put("type", "api_error").put("message", upstreamMessage) : null;
        return List.of(MessagesEvents.errorEvent(why, error));
    }

    private static byte[] blockDelta(int index, ObjectNode delta) {
        ObjectNode event = Shape.newObject().put("index", index);
        event.set("delta", delta);
        return event("content_block_delta", event);
    }

    private static byte[] event(String type, ObjectNode fields) {
        ObjectNode data = Shape.newObject().put("type", type);
        data.setAll(fields);
        return SseFrames.event(type, ChatJson.text(data));
    }
}
