package dev.tokenproxy.adapter.out.upstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generic pre-output gate with a scripted frame source and a toy dialect whose frames say what they are:
 * {@code hold:x}, {@code emit:x}, {@code ping}, {@code end:x}, {@code fail:code}.
 */
class PreOutputGateTest {

    @Test
    void holdsBackUntilTheFirstOutputThenDeliversEverythingInOrder() {
        var source = new ScriptedSource().reads("hold:created", "hold:role").reads("emit:Hello", "emit:world")
                .reads("end:done");

        var stream = committed(new PreOutputGate<>(source, new ToyDialect()).open());

        assertThat(source.outputStarted).isEqualTo(1);
        assertThat(drain(stream)).containsExactly("created", "role", "Hello", "world", "done");
    }

    @Test
    void aFailureBeforeOutputFailsTheAttemptWithTheDialectsSignalAndDeliversNothing() {
        var source = new ScriptedSource().reads("hold:created", "fail:rate_limit_exceeded");

        var opening = new PreOutputGate<>(source, new ToyDialect()).open();

        assertThat(opening).isInstanceOfSatisfying(PreOutputGate.Opening.Failed.class,
                failed -> assertThat(failed.signal().errorCode()).isEqualTo("rate_limit_exceeded"));
        assertThat(source.aborted).isTrue();
        assertThat(source.outputStarted).isZero();
    }

    @Test
    void aFailureAfterOutputEndsWithTheDialectsTerminalErrorAndIsNeverReplayed() {
        var source = new ScriptedSource().reads("emit:Hel").reads("fail:server_error", "emit:lo");

        var stream = committed(new PreOutputGate<>(source, new ToyDialect()).open());

        assertThat(drain(stream)).containsExactly("Hel", "interrupted:ERROR_EVENT");
        assertThat(source.aborted).isTrue();
    }

    @Test
    void keepAlivesAreDroppedBeforeCommitAndPassedOnAfter() {
        var source = new ScriptedSource().reads("ping", "hold:created").reads("emit:Hi", "ping").reads("end:done");

        var stream = committed(new PreOutputGate<>(source, new ToyDialect()).open());

        assertThat(drain(stream)).containsExactly("created", "Hi", "ping", "done");
    }

    @Test
    void commitsWithoutOutputOnceTheHoldBackBudgetOfEventsIsSpent() {
        var source = new ScriptedSource();
        for (int i = 0; i <= PreOutputGate.HOLD_BACK_MAX_EVENTS; i++) {
            source.reads("hold:" + i);
        }
        source.reads("fail:never_read_before_commit");

        var opening = new PreOutputGate<>(source, new ToyDialect()).open();

        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Committed.class);
        assertThat(source.outputStarted).isEqualTo(1);
    }

    @Test
    void commitsWithoutOutputOnceTheHeldBackBytesExceedTheBudgetAndThenEndsAFailureWithTheTerminalError() {
        // Two events past the byte budget together, far below the event budget: the bytes alone commit the stream.
        String half = "x".repeat((int) (PreOutputGate.HOLD_BACK_MAX_BYTES / 2));
        var source = new ScriptedSource().reads("hold:" + half).reads("hold:" + half + "x")
                .reads("fail:server_error");

        var stream = committed(new PreOutputGate<>(source, new ToyDialect()).open());

        assertThat(source.outputStarted).isEqualTo(1);
        // Committed: what was held is delivered in order, and the later failure can no longer fail over.
        assertThat(drain(stream)).containsExactly(half, half + "x", "interrupted:ERROR_EVENT");
        assertThat(stream.brokenAfterOutput()).isPresent();
    }

    @Test
    void holdsBackExactlyTheByteBudgetWithoutCommitting() {
        String half = "x".repeat((int) (PreOutputGate.HOLD_BACK_MAX_BYTES / 2));
        var source = new ScriptedSource().reads("hold:" + half).reads("hold:" + half).reads("fail:server_error");

        var opening = new PreOutputGate<>(source, new ToyDialect()).open();

        assertThat(opening).isInstanceOfSatisfying(PreOutputGate.Opening.Failed.class,
                failed -> assertThat(failed.signal().errorCode()).isEqualTo("server_error"));
        assertThat(source.outputStarted).isZero();
    }

    @Test
    void aCleanEndLetsTheConnectionServeAgainAndAnyOtherCloseAbortsIt() {
        var clean = new ScriptedSource().reads("emit:Hi", "end:done");
        var stream = committed(new PreOutputGate<>(clean, new ToyDialect()).open());
        drain(stream);
        stream.close();
        assertThat(clean.finished).isTrue();
        assertThat(clean.aborted).isFalse();

        var leftEarly = new ScriptedSource().reads("emit:Hi").reads("emit:more");
        var early = committed(new PreOutputGate<>(leftEarly, new ToyDialect()).open());
        early.next();
        early.close();
        assertThat(leftEarly.aborted).isTrue();
        assertThat(leftEarly.finished).isFalse();
        assertThat(early.next()).isNull();
    }

    @Test
    void aTransportFailureBeforeOutputIsTheDialectsReading() {
        var source = new ScriptedSource().reads("hold:created").breaks(Fault.FIRST_OUTPUT_TIMEOUT);

        var opening = new PreOutputGate<>(source, new ToyDialect()).open();

        assertThat(opening).isInstanceOfSatisfying(PreOutputGate.Opening.Failed.class,
                failed -> assertThat(failed.signal().fault()).isEqualTo(Fault.FIRST_OUTPUT_TIMEOUT));
    }

    @Test
    void anEndOfBodyAfterOutputEndsWithTheDialectsTerminalError() {
        var source = new ScriptedSource().reads("emit:Hi");

        var stream = committed(new PreOutputGate<>(source, new ToyDialect()).open());

        assertThat(drain(stream)).containsExactly("Hi", "interrupted:BROKEN");
    }

    @Test
    void aFrameReadTogetherWithTheFirstOutputIsJudgedAsCommitted() {
        // The toy dialect fails an "end" before commit and finishes it after, like Chat's [DONE] without output.
        var source = new ScriptedSource().reads("emit:Hi", "end:done");

        var stream = committed(new PreOutputGate<>(source, new ToyDialect()).open());

        assertThat(drain(stream)).containsExactly("Hi", "done");
    }

    private static ReplyStream committed(PreOutputGate.Opening opening) {
        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Committed.class);
        return ((PreOutputGate.Opening.Committed) opening).stream();
    }

    private static List<String> drain(ReplyStream stream) {
        var frames = new ArrayList<String>();
        byte[] frame;
        while ((frame = stream.next()) != null) {
            frames.add(new String(frame, StandardCharsets.UTF_8));
        }
        return frames;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A frame source that plays scripted reads: batches of frames, or a transport failure; then the end. */
    private static final class ScriptedSource implements FrameSource<String> {
        private final Deque<Object> reads = new ArrayDeque<>();
        int outputStarted;
        boolean finished;
        boolean aborted;

        ScriptedSource reads(String... frames) {
            reads.add(List.of(frames));
            return this;
        }

        ScriptedSource breaks(Fault fault) {
            reads.add(fault);
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<String> next() throws TransportFailure {
            if (aborted) {
                return null;
            }
            Object read = reads.poll();
            if (read instanceof Fault fault) {
                throw new TransportFailure(fault, null);
            }
            return (List<String>) read;
        }

        @Override
        public void outputStarted() {
            outputStarted++;
        }

        @Override
        public void finish() {
            finished = true;
        }

        @Override
        public void abort() {
            aborted = true;
        }
    }

    /** Frames that name their own meaning; an "end" fails before commit (nothing delivered) and finishes after. */
    private static final class ToyDialect implements StreamDialect<String> {
        private boolean committed;

        @Override
        public void committed() {
            committed = true;
        }

        @Override
        public DialectStep step(String frame) {
            String kind = frame.contains(":") ? frame.substring(0, frame.indexOf(':')) : frame;
            String text = frame.substring(frame.indexOf(':') + 1);
            return switch (kind) {
                case "hold" -> DialectStep.hold(bytes(text));
                case "emit" -> DialectStep.emit(bytes(text));
                case "ping" -> new DialectStep.KeepAlive(bytes("ping"));
                case "end" -> committed ? new DialectStep.Finish(List.of(bytes(text)))
                        : new DialectStep.Fail(AttemptSignal.http("toy", 502).withFault(Fault.EMPTY_COMPLETION),
                        StreamBreak.BROKEN);
                case "fail" -> new DialectStep.Fail(AttemptSignal.http("toy", 200)
                        .withFault(Fault.STREAM_BROKEN_BEFORE_OUTPUT).withError("error", text, false),
                        StreamBreak.ERROR_EVENT);
                default -> throw new IllegalArgumentException(frame);
            };
        }

        @Override
        public DialectStep endOfBody() {
            return new DialectStep.Fail(AttemptSignal.http("toy", 200).withFault(Fault.STREAM_BROKEN_BEFORE_OUTPUT),
                    StreamBreak.BROKEN);
        }

        @Override
        public DialectStep transportFailed(Fault fault) {
            return new DialectStep.Fail(AttemptSignal.http("toy", 0).withFault(fault), StreamBreak.TIMED_OUT);
        }

        @Override
        public DialectStep malformed() {
            return new DialectStep.Fail(AttemptSignal.http("toy", 200).withFault(Fault.STREAM_BROKEN_BEFORE_OUTPUT),
                    StreamBreak.MALFORMED);
        }

        @Override
        public List<byte[]> interruption(StreamBreak why) {
            return List.of(bytes("interrupted:" + why));
        }
    }
}
