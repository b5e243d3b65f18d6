package dev.tokenproxy.adapter.out.upstream.format.chat;

import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.DialectStep;
import dev.tokenproxy.adapter.out.upstream.stream.StreamBreak;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Chat Completions upstream → Chat Completions client: chunks pass through (with the client's model name when asked),
 * the role chunk and empty deltas are held back, {@code [DONE]} ends the stream, and an early end or error is a
 * failed attempt before commit and an error event plus {@code [DONE]} after (behaviour §6).
 */
public final class ChatStreamDialect implements StreamDialect<SseItem> {

    public static final byte[] DONE = SseFrames.data("[DONE]");

    private static final Map<StreamBreak, byte[]> ERROR_FRAMES = new EnumMap<>(Map.of(
            StreamBreak.ERROR_EVENT, errorFrame("The upstream reported an error before completing the response."),
            StreamBreak.MALFORMED, errorFrame("The upstream sent a malformed stream event."),
            StreamBreak.TIMED_OUT, errorFrame("The upstream went silent before completing the response."),
            StreamBreak.BROKEN, errorFrame("The upstream connection ended before the response was complete.")));

    private final String provider;
    /** The client's model name to put in every chunk, or null to forward chunks verbatim. */
    private final String echoModel;
    private boolean committed;
    private boolean finished;
    private String finishReason;

    /**
     * @param provider  the provider name the failure signals carry
     * @param echoModel the model name to answer with, or null to keep the upstream's
     */
    public ChatStreamDialect(String provider, String echoModel) {
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
            // A chunk passes on as it came unless its model is echoed, which needs the tree to rewrite it.
            case SseItem.Event event ->
                    chunk(echoModel == null ? ChatChunk.scan(event.data()) : ChatChunk.of(event.data()));
        };
    }

    private DialectStep chunk(ChatChunk chunk) {
        return switch (chunk.kind()) {
            case DONE -> end(true);
            case ERROR -> new DialectStep.Fail(ChatStreamSignals.errorEvent(provider, chunk.json().get("error")),
                    StreamBreak.ERROR_EVENT);
            case MALFORMED -> malformed();
            case OUTPUT -> {
                noteFinish(chunk);
                yield DialectStep.emit(frame(chunk));
            }
            case SILENT -> {
                noteFinish(chunk);
                yield DialectStep.hold(frame(chunk));
            }
        };
    }

    @Override
    public DialectStep endOfBody() {
        return end(false);
    }

    @Override
    public DialectStep transportFailed(Fault fault) {
        // Every choice had its finish_reason: the answer is whole, only the [DONE] (and maybe usage) is missing.
        if (committed && finished) {
            return new DialectStep.Finish(List.of(DONE));
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

    @Override
    public List<byte[]> interruption(StreamBreak why) {
        return List.of(ERROR_FRAMES.get(why), DONE);
    }

    /** The stream ended, with its {@code [DONE]} or without. */
    private DialectStep end(boolean sawDone) {
        if (committed) {
            return sawDone || finished ? new DialectStep.Finish(List.of(DONE))
                    : new DialectStep.Fail(ChatStreamSignals.rejected(provider, Fault.STREAM_BROKEN_BEFORE_OUTPUT),
                            StreamBreak.BROKEN);
        }
        if (!sawDone && !finished) {
            return new DialectStep.Fail(ChatStreamSignals.rejected(provider, Fault.STREAM_BROKEN_BEFORE_OUTPUT),
                    StreamBreak.BROKEN);
        }
        if (finishReason == null || "stop".equals(finishReason)) {
            return new DialectStep.Fail(ChatStreamSignals.rejected(provider, Fault.EMPTY_COMPLETION),
                    StreamBreak.BROKEN);
        }
        // Finished for another reason (length, content_filter): that is an answer the client must see.
        return new DialectStep.Finish(List.of(DONE));
    }

    private void noteFinish(ChatChunk chunk) {
        if (chunk.finishReason() != null) {
            finished = true;
            finishReason = chunk.finishReason();
        }
    }

    private byte[] frame(ChatChunk chunk) {
        if (echoModel != null && chunk.json().has("model")) {
            return SseFrames.data(ChatJson.text(chunk.json().put("model", echoModel)));
        }
        return SseFrames.data(chunk.data());
    }

    private static byte[] errorFrame(String message) {
        return SseFrames.data("{\"error\":{\"message\":\"" + message
                + "\",\"type\":\"upstream_error\",\"code\":\"stream_interrupted\"}}");
    }
}
