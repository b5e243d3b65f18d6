package dev.tokenproxy.adapter.out.upstream.format.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.TypedJsonEvents;
import dev.tokenproxy.adapter.out.upstream.format.chat.Shape;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.DialectStep;
import dev.tokenproxy.adapter.out.upstream.stream.StreamBreak;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.util.List;

/**
 * Responses upstream → Responses client (protocols §2): events pass through, numbered for the client. Until the first
 * real output (a non-empty delta of text, reasoning or arguments, or a {@code *.done} that carries some) the events
 * are held back ({@code response.created}, {@code in_progress}, items and parts added empty); {@code response.completed}
 * or {@code .incomplete} ends the stream. A {@code response.failed} or top-level {@code error} event, or an end
 * without a terminal event, fails the attempt before commit and becomes a {@code response.failed} after it.
 *
 * <p>The client's {@code sequence_number}s count from 0 across exactly what it saw, and the dialect's own
 * {@code response.failed} continues them; an event already numbered as the client expects passes as it came.
 */
public final class ResponsesStreamDialect implements StreamDialect<SseItem> {

    private final String provider;
    /** The client's model name to put in every response snapshot, or null to keep the upstream's. */
    private final String echoModel;
    private boolean committed;
    private int sequence;
    /** The latest response object an event carried: the base of a {@code response.failed} the dialect writes. */
    private ObjectNode lastResponse;
    /** The error that ended the stream, told to the client in the terminal {@code response.failed}. */
    private JsonNode upstreamError;

    /**
     * @param provider  the provider name failure signals carry
     * @param echoModel the model name to answer with, or null to keep the upstream's
     */
    public ResponsesStreamDialect(String provider, String echoModel) {
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
        if (json.get("response") instanceof ObjectNode response) {
            lastResponse = response.deepCopy();
        }
        return switch (type) {
            case "response.completed", "response.incomplete" -> terminal(type, json);
            case "response.failed" -> failure(json.path("response").get("error"));
            // Seen both flat {type, code, message} and nested {type, error: {...}}.
            case "error" -> failure(json.get("error") instanceof ObjectNode nested ? nested : json);
            default -> ResponsesEvents.carriesOutput(type, json)
                    ? DialectStep.emit(frame(type, json)) : DialectStep.hold(frame(type, json));
        };
    }

    private DialectStep terminal(String type, ObjectNode json) {
        boolean completed = "response.completed".equals(type);
        // Completed with nothing in it and nothing streamed: an empty completion. Incomplete is an answer (a cut).
        if (!committed && completed && ResponsesOutput.isEmpty(json.path("response"))) {
            return new DialectStep.Fail(rejected(Fault.EMPTY_COMPLETION), StreamBreak.BROKEN);
        }
        return new DialectStep.Finish(List.of(frame(type, json)));
    }

    private DialectStep failure(JsonNode error) {
        upstreamError = error;
        return new DialectStep.Fail(ResponsesFailure.signal(provider, error), StreamBreak.ERROR_EVENT);
    }

    @Override
    public DialectStep endOfBody() {
        // codex-rs: "stream closed before response.completed" is an error, never a whole answer.
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

    /** A {@code response.failed} continuing the client's numbers, with the upstream's error when it gave one. */
    @Override
    public List<byte[]> interruption(StreamBreak why) {
        ObjectNode failed = lastResponse != null ? lastResponse.deepCopy() : Shape.newObject().put("object", "response");
        failed.put("status", "failed");
        if (echoModel != null) {
            failed.put("model", echoModel);
        }
        failed.set("error", ResponsesEvents.interruptionError(why, upstreamError));
        ObjectNode event = Shape.newObject().put("type", "response.failed");
        event.set("response", failed);
        return List.of(frame("response.failed", event));
    }

    /** The event as the client sees it: its number in the client's sequence, and the client's model if asked. */
    private byte[] frame(String type, ObjectNode json) {
        int number = sequence++;
        boolean renumber = !json.path("sequence_number").isInt() || json.path("sequence_number").intValue() != number;
        boolean rename = echoModel != null && json.get("response") instanceof ObjectNode response
                && !echoModel.equals(ChatJson.scalar(response, "model"));
        if (renumber) {
            json.put("sequence_number", number);
        }
        if (rename) {
            ((ObjectNode) json.get("response")).put("model", echoModel);
        }
        return SseFrames.event(type, ChatJson.text(json));
    }

    private AttemptSignal rejected(Fault fault) {
        return AttemptSignal.http(provider, ResponsesFailure.REJECTED_2XX_STATUS).withFault(fault);
    }
}
