package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.TypedJsonEvents;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.DialectStep;
import dev.tokenproxy.adapter.out.upstream.stream.StreamBreak;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.util.List;

/**
 * Messages upstream → Messages client (protocols §5): events pass through as they came. Until the first real output
 * (a text or thinking delta with something in it, a tool_use block, a fragment of its input) the events are held
 * back: {@code message_start}, empty blocks, signature deltas; {@code ping} is a keep-alive. {@code message_stop}
 * ends the stream. An {@code error} event, an end without {@code message_stop}, or a {@code message_stop} with no
 * content block at all fails the attempt before commit; after commit the client gets an {@code error} event.
 */
public final class MessagesStreamDialect implements StreamDialect<SseItem> {

    private final String provider;
    /** The client's model name to put in {@code message_start}, or null to keep the upstream's. */
    private final String echoModel;
    private boolean committed;
    private boolean sawContentBlock;
    /** The upstream's error that ended the stream, told to the client in the terminal {@code error} event. */
    private JsonNode upstreamError;

    /**
     * @param provider  the provider name failure signals carry
     * @param echoModel the model name to answer with, or null to keep the upstream's
     */
    public MessagesStreamDialect(String provider, String echoModel) {
        this.provider = provider;
        this.echoModel = echoModel;
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
            case "message_start" -> DialectStep.hold(frame(type, renamed(json)));
            case "ping" -> new DialectStep.KeepAlive(frame(type, json));
            case "content_block_start" -> {
                sawContentBlock = true;
                yield MessagesEvents.blockCarriesOutput(json.path("content_block"))
                        ? DialectStep.emit(frame(type, json)) : DialectStep.hold(frame(type, json));
            }
            case "content_block_delta" -> MessagesEvents.deltaCarriesOutput(json.path("delta"))
                    ? DialectStep.emit(frame(type, json)) : DialectStep.hold(frame(type, json));
            case "message_stop" -> stop(json);
            case "error" -> failure(json.get("error"));
            // content_block_stop, message_delta and types a later API version adds: passed on in their place.
            default -> DialectStep.hold(frame(type, json));
        };
    }

    private DialectStep stop(ObjectNode json) {
        // A message with no content block at all is an empty completion (behaviour §2); an empty text block is not.
        if (!committed && !sawContentBlock) {
            return new DialectStep.Fail(rejected(Fault.EMPTY_COMPLETION), StreamBreak.BROKEN);
        }
        return new DialectStep.Finish(List.of(frame("message_stop", json)));
    }

    private DialectStep failure(JsonNode error) {
        upstreamError = error;
        return new DialectStep.Fail(MessagesErrorBody.describe(rejected(Fault.STREAM_BROKEN_BEFORE_OUTPUT), error),
                StreamBreak.ERROR_EVENT);
    }

    @Override
    public DialectStep endOfBody() {
        // The SDKs treat a stream without message_stop as incomplete; so do we.
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

    /** An Anthropic {@code error} event: the upstream's own error when it sent one, else the gateway's reason. */
    @Override
    public List<byte[]> interruption(StreamBreak why) {
        return List.of(MessagesEvents.errorEvent(why, upstreamError));
    }

    private ObjectNode renamed(ObjectNode messageStart) {
        if (echoModel != null && messageStart.get("message") instanceof ObjectNode message) {
            message.put("model", echoModel);
        }
        return messageStart;
    }

    private static byte[] frame(String type, ObjectNode json) {
        return SseFrames.event(type, ChatJson.text(json));
    }

    private AttemptSignal rejected(Fault fault) {
        return AttemptSignal.http(provider, MessagesOutcomes.REJECTED_2XX_STATUS).withFault(fault);
    }
}
