package dev.tokenproxy.adapter.out.upstream.kiro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.eventstream.EventStreamMessage;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesErrorBody;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesEvents;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.adapter.out.upstream.stream.DialectStep;
import dev.tokenproxy.adapter.out.upstream.stream.StreamBreak;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Kiro event stream → Anthropic Messages SSE, for the shared {@link dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate}:
 * {@link KiroToMessagesEvents} translates, this class says what each step means at the pre-output boundary. Events
 * without output (metering, context usage) are held back; the first text, thinking or tool call commits. The end of
 * the body completes a committed stream; before any output it is an empty completion. A Kiro exception frame, a
 * corrupt frame or a cut body fails the attempt before output and ends the stream with an {@code error} event after.
 * Every translated event is also handed to {@code sink}, so a non-stream answer can be built from the same steps.
 */
final class KiroStreamDialect implements StreamDialect<EventStreamMessage> {

    /** Post-processing found nothing deliverable in Kiro's 200 (behaviour §2: "status 502"). */
    static final int REJECTED_2XX_STATUS = 502;

    private final String provider;
    private final KiroToMessagesEvents translator;
    private final Consumer<ObjectNode> sink;
    private boolean committed;
    /** Kiro's in-stream failure as an Anthropic error object, told to the client in the terminal event. */
    private JsonNode upstreamError;

    KiroStreamDialect(String provider, KiroToMessagesEvents translator, Consumer<ObjectNode> sink) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.translator = Objects.requireNonNull(translator, "translator");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void committed() {
        committed = true;
    }

    @Override
    public DialectStep step(EventStreamMessage message) {
        return switch (translator.on(message)) {
            case KiroEventStep.Events events -> events.output()
                    ? new DialectStep.Emit(frames(events.events()))
                    : new DialectStep.Hold(frames(events.events()));
            case KiroEventStep.Failed failed -> failure(failed);
        };
    }

    private DialectStep failure(KiroEventStep.Failed failed) {
        // A throttled or overloaded service says so in the type; anything else is the service failing the answer.
        String type = failed.type().contains("Throttling") ? "rate_limit_error" : "api_error";
        String message = failed.message().isBlank() ? "Kiro failed the response (" + failed.type() + ")."
                : failed.message();
        upstreamError = MessagesErrorBody.node(type, message).get("error");
        return new DialectStep.Fail(rejected(Fault.STREAM_BROKEN_BEFORE_OUTPUT).withError(failed.type(), null, false),
                StreamBreak.ERROR_EVENT);
    }

    @Override
    public DialectStep endOfBody() {
        // Kiro has no terminal event: the end of a well-framed body is the end of the answer, if there was one.
        if (!committed && !translator.anyOutput()) {
            return new DialectStep.Fail(rejected(Fault.EMPTY_COMPLETION), StreamBreak.BROKEN);
        }
        return new DialectStep.Finish(frames(translator.finish()));
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

    @Override
    public List<byte[]> interruption(StreamBreak why) {
        return List.of(MessagesEvents.errorEvent(why, upstreamError));
    }

    private List<byte[]> frames(List<ObjectNode> events) {
        events.forEach(sink);
        return events.stream().map(event -> SseFrames.event(event.path("type").asText(), ChatJson.text(event)))
                .toList();
    }

    private AttemptSignal rejected(Fault fault) {
        return AttemptSignal.http(provider, REJECTED_2XX_STATUS).withFault(fault);
    }
}
