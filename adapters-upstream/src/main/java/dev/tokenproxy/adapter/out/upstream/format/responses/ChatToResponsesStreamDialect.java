package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatChunk;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatStreamSignals;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.DialectStep;
import dev.tokenproxy.adapter.out.upstream.stream.StreamBreak;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chat Completions upstream → Responses client (protocols §1 → §2): each chat chunk becomes the Responses events it
 * implies, numbered by consecutive {@code sequence_number}s. {@code response.created} and {@code in_progress} are held
 * back until the first real output; {@code [DONE]} closes the open items and sends {@code response.completed} (or
 * {@code .incomplete}) with the whole response and its usage; a failure after commit is a {@code response.failed}.
 */
public final class ChatToResponsesStreamDialect implements StreamDialect<SseItem> {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String provider;
    private final String modelOverride;
    private final Clock clock;
    private final String responseId;
    private final List<Item> items = new ArrayList<>();
    /** Chat's tool-call index → its function_call item. */
    private final Map<Integer, Item> toolCalls = new LinkedHashMap<>();
    private Item openText;
    private String model;
    private JsonNode usage;
    private String finishReason;
    private boolean started;
    private boolean committed;
    private boolean sawOutput;
    private int sequence;

    /**
     * @param provider      the provider name failure signals carry
     * @param modelOverride the model name to answer with (the client's), or null to keep the upstream's
     */
    public ChatToResponsesStreamDialect(String provider, String modelOverride, Clock clock, String responseId) {
        this.provider = provider;
        this.modelOverride = modelOverride;
        this.clock = clock;
        this.responseId = responseId;
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
            case ERROR -> new DialectStep.Fail(ChatStreamSignals.errorEvent(provider, chunk.json().get("error")),
                    StreamBreak.ERROR_EVENT);
            case OUTPUT, SILENT -> translate(chunk);
        };
    }

    private DialectStep translate(ChatChunk chunk) {
        var frames = new ArrayList<byte[]>();
        if (model == null) {
            model = modelOverride != null ? modelOverride : ChatJson.scalar(chunk.json(), "model");
        }
        if (!started) {
            started = true;
            frames.add(event("response.created", "response", response("in_progress")));
            frames.add(event("response.in_progress", "response", response("in_progress")));
        }
        if (chunk.json().hasNonNull("usage")) {
            usage = chunk.json().get("usage");
        }
        boolean output = false;
        for (JsonNode choice : chunk.json().path("choices")) {
            // Responses has one output list: only the first choice can be translated (n > 1 is a Chat feature).
            if (choice.path("index").asInt(0) != 0) {
                continue;
            }
            JsonNode delta = choice.path("delta");
            output |= text(delta, "reasoning_content", Kind.REASONING, frames)
                    | text(delta, "reasoning", Kind.REASONING, frames)
                    | text(delta, "content", Kind.MESSAGE, frames)
                    | text(delta, "refusal", Kind.MESSAGE, frames)
                    | toolCalls(delta.path("tool_calls"), frames);
            String finish = ChatJson.scalar(choice, "finish_reason");
            if (finish != null) {
                finishReason = finish;
            }
        }
        sawOutput |= output;
        return output ? new DialectStep.Emit(frames) : new DialectStep.Hold(frames);
    }

    /** A text delta of reasoning or message content; a change of kind closes the open item. */
    private boolean text(JsonNode delta, String field, Kind kind, List<byte[]> frames) {
        JsonNode value = delta.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            return false;
        }
        if (openText == null || openText.kind != kind) {
            closeText(frames);
            openText = open(kind, null, null, frames);
        }
        openText.text.append(value.textValue());
        ObjectNode data = itemRef(openText);
        if (kind == Kind.REASONING) {
            data.put("summary_index", 0);
        } else {
            data.put("content_index", 0);
        }
        data.put("delta", value.textValue());
        frames.add(event(kind == Kind.REASONING ? "response.reasoning_summary_text.delta"
                : "response.output_text.delta", data));
        return true;
    }

    private boolean toolCalls(JsonNode calls, List<byte[]> frames) {
        boolean output = false;
        for (JsonNode call : calls) {
            int index = call.path("index").asInt(toolCalls.size());
            Item item = toolCalls.get(index);
            if (item == null) {
                closeText(frames);
                item = open(Kind.FUNCTION_CALL, ChatJson.scalar(call, "id"),
                        ChatJson.scalar(call.path("function"), "name"), frames);
                toolCalls.put(index, item);
                output = true;
            }
            String fragment = ChatJson.scalar(call.path("function"), "arguments");
            if (fragment != null && !fragment.isEmpty()) {
                item.text.append(fragment);
                ObjectNode data = itemRef(item);
                data.put("delta", fragment);
                frames.add(event("response.function_call_arguments.delta", data));
                output = true;
            }
        }
        return output;
    }

    private Item open(Kind kind, String callId, String name, List<byte[]> frames) {
        var item = new Item(kind, items.size(), kind.idPrefix + idSuffix() + "_" + items.size(),
                callId, name);
        items.add(item);
        ObjectNode added = NODES.objectNode();
        added.put("output_index", item.outputIndex);
        added.set("item", item.json("in_progress"));
        frames.add(event("response.output_item.added", added));
        if (kind == Kind.MESSAGE) {
            ObjectNode part = itemRef(item);
            part.put("content_index", 0);
            part.set("part", outputText(""));
            frames.add(event("response.content_part.added", part));
        } else if (kind == Kind.REASONING) {
            ObjectNode part = itemRef(item);
            part.put("summary_index", 0);
            part.set("part", summaryText(""));
            frames.add(event("response.reasoning_summary_part.added", part));
        }
        return item;
    }

    private void closeText(List<byte[]> frames) {
        if (openText == null) {
            return;
        }
        close(openText, frames);
        openText = null;
    }

    private void close(Item item, List<byte[]> frames) {
        String text = item.text.toString();
        switch (item.kind) {
            case MESSAGE -> {
                ObjectNode done = itemRef(item);
                done.put("content_index", 0);
                done.put("text", text);
                frames.add(event("response.output_text.done", done));
                ObjectNode part = itemRef(item);
                part.put("content_index", 0);
                part.set("part", outputText(text));
                frames.add(event("response.content_part.done", part));
            }
            case REASONING -> {
                ObjectNode done = itemRef(item);
                done.put("summary_index", 0);
                done.put("text", text);
                frames.add(event("response.reasoning_summary_text.done", done));
                ObjectNode part = itemRef(item);
                part.put("summary_index", 0);
                part.set("part", summaryText(text));
                frames.add(event("response.reasoning_summary_part.done", part));
            }
            case FUNCTION_CALL -> {
                ObjectNode done = itemRef(item);
                done.put("arguments", text);
                frames.add(event("response.function_call_arguments.done", done));
            }
        }
        ObjectNode itemDone = NODES.objectNode();
        itemDone.put("output_index", item.outputIndex);
        itemDone.set("item", item.json("completed"));
        frames.add(event("response.output_item.done", itemDone));
        item.closed = true;
    }

    @Override
    public DialectStep endOfBody() {
        return end(false);
    }

    /** The chat stream ended, with its [DONE] or without. */
    private DialectStep end(boolean sawDone) {
        boolean whole = sawDone || finishReason != null;
        if (!whole) {
            return new DialectStep.Fail(ChatStreamSignals.rejected(provider, Fault.STREAM_BROKEN_BEFORE_OUTPUT),
                    StreamBreak.BROKEN);
        }
        boolean deliverableWithoutOutput = finishReason != null && !"stop".equals(finishReason);
        if (!committed && !sawOutput && !deliverableWithoutOutput) {
            return new DialectStep.Fail(ChatStreamSignals.rejected(provider, Fault.EMPTY_COMPLETION),
                    StreamBreak.BROKEN);
        }
        var frames = new ArrayList<byte[]>();
        if (!started) {
            started = true;
            frames.add(event("response.created", "response", response("in_progress")));
            frames.add(event("response.in_progress", "response", response("in_progress")));
        }
        closeText(frames);
        for (Item item : items) {
            if (!item.closed) {
                close(item, frames);
            }
        }
        String status = "length".equals(finishReason) || "content_filter".equals(finishReason)
                ? "incomplete" : "completed";
        ObjectNode finalResponse = response(status);
        if ("incomplete".equals(status)) {
            finalResponse.putObject("incomplete_details").put("reason",
                    "length".equals(finishReason) ? "max_output_tokens" : "content_filter");
        }
        frames.add(event("response." + status, "response", finalResponse));
        return new DialectStep.Finish(frames);
    }

    @Override
    public DialectStep transportFailed(Fault fault) {
        StreamBreak after = fault == Fault.IDLE_TIMEOUT || fault == Fault.FIRST_OUTPUT_TIMEOUT
                ? StreamBreak.TIMED_OUT : StreamBreak.BROKEN;
        if (committed && finishReason != null) {
            return end(false);
        }
        Fault before = fault == Fault.CONNECTION_RESET ? Fault.STREAM_BROKEN_BEFORE_OUTPUT : fault;
        return new DialectStep.Fail(AttemptSignal.http(provider, 0).withFault(before), after);
    }

    @Override
    public DialectStep malformed() {
        return new DialectStep.Fail(ChatStreamSignals.rejected(provider, Fault.STREAM_BROKEN_BEFORE_OUTPUT),
                StreamBreak.MALFORMED);
    }

    /** A {@code response.failed} that continues the sequence numbers the client has seen. */
    @Override
    public List<byte[]> interruption(StreamBreak why) {
        ObjectNode failed = response("failed");
        ObjectNode error = failed.putObject("error");
        error.put("code", why == StreamBreak.TIMED_OUT ? "upstream_timeout" : "stream_interrupted");
        error.put("message", switch (why) {
            case ERROR_EVENT -> "The upstream reported an error before completing the response.";
            case MALFORMED -> "The upstream sent a malformed stream event.";
            case TIMED_OUT -> "The upstream went silent before completing the response.";
            case BROKEN -> "The upstream connection ended before the response was complete.";
        });
        return List.of(event("response.failed", "response", failed));
    }

    private ObjectNode response(String status) {
        ObjectNode response = NODES.objectNode();
        response.put("id", responseId);
        response.put("object", "response");
        response.put("created_at", clock.instant().getEpochSecond());
        response.put("status", status);
        response.put("model", model);
        response.putNull("error");
        response.putNull("incomplete_details");
        ArrayNode output = response.putArray("output");
        if (!"in_progress".equals(status)) {
            items.forEach(item -> output.add(item.json("completed")));
            response.set("usage", usage == null || !usage.isObject() ? NODES.nullNode() : TokenUsage.fromChat(usage));
        } else {
            response.putNull("usage");
        }
        return response;
    }

    private byte[] event(String type, String field, ObjectNode value) {
        ObjectNode data = NODES.objectNode();
        data.set(field, value);
        return event(type, data);
    }

    private byte[] event(String type, ObjectNode fields) {
        ObjectNode data = NODES.objectNode();
        data.put("type", type);
        data.put("sequence_number", sequence++);
        data.setAll(fields);
        return SseFrames.event(type, ChatJson.text(data));
    }

    private String idSuffix() {
        return responseId.startsWith("resp_") ? responseId.substring("resp_".length()) : responseId;
    }

    private static ObjectNode itemRef(Item item) {
        ObjectNode ref = NODES.objectNode();
        ref.put("item_id", item.id);
        ref.put("output_index", item.outputIndex);
        return ref;
    }

    private static ObjectNode outputText(String text) {
        ObjectNode part = NODES.objectNode();
        part.put("type", "output_text");
        part.put("text", text);
        part.putArray("annotations");
        return part;
    }

    private static ObjectNode summaryText(String text) {
        ObjectNode part = NODES.objectNode();
        part.put("type", "summary_text");
        part.put("text", text);
        return part;
    }

    private enum Kind {
        MESSAGE("msg_"), REASONING("rs_"), FUNCTION_CALL("fc_");

        private final String idPrefix;

        Kind(String idPrefix) {
            this.idPrefix = idPrefix;
        }
    }

    /** One output item as it grows: its text, reasoning summary or call arguments. */
    private static final class Item {
        private final Kind kind;
        private final int outputIndex;
        private final String id;
        private final String callId;
        private final String name;
        private final StringBuilder text = new StringBuilder();
        private boolean closed;

        Item(Kind kind, int outputIndex, String id, String callId, String name) {
            this.kind = kind;
            this.outputIndex = outputIndex;
            this.id = id;
            this.callId = callId;
            this.name = name;
        }

        ObjectNode json(String status) {
            ObjectNode item = NODES.objectNode();
            item.put("id", id);
            switch (kind) {
                case MESSAGE -> {
                    item.put("type", "message");
                    item.put("status", status);
                    item.put("role", "assistant");
                    ArrayNode content = item.putArray("content");
                    if ("completed".equals(status)) {
                        content.add(outputText(text.toString()));
                    }
                }
                case REASONING -> {
                    item.put("type", "reasoning");
                    ArrayNode summary = item.putArray("summary");
                    if ("completed".equals(status)) {
                        summary.add(summaryText(text.toString()));
                    }
                }
                case FUNCTION_CALL -> {
                    item.put("type", "function_call");
                    item.put("status", status);
                    item.put("call_id", callId);
                    item.put("name", name);
                    item.put("arguments", "completed".equals(status) ? text.toString() : "");
                }
            }
            return item;
        }
    }
}
