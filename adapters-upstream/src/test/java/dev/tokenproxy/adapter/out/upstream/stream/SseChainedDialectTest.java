package dev.tokenproxy.adapter.out.upstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two toy dialects in a row: the first turns {@code kind:text} strings into SSE events named {@code kind}, the second
 * reads those events into plain frames, and has the last word on what is output (an empty {@code emit} is none).
 */
class SseChainedDialectTest {

    @Test
    void theSecondDialectDecidesWhatIsOutput() {
        var chain = new SseChainedDialect<>(new ToSse(), new FromSse());

        assertThat(chain.step("emit:")).isInstanceOf(DialectStep.Hold.class);
        assertThat(chain.step("emit:Hi")).isInstanceOfSatisfying(DialectStep.Emit.class,
                emit -> assertThat(texts(emit.frames())).containsExactly("Hi"));
    }

    @Test
    void deliversThroughTheGateInOrderAndEndsWhereTheSecondEnds() {
        var source = new Reads().then("hold:start").then("emit:Hel", "emit:lo").then("end:stop");

        var opening = new PreOutputGate<>(source, new SseChainedDialect<>(new ToSse(), new FromSse())).open();

        assertThat(opening).isInstanceOfSatisfying(PreOutputGate.Opening.Committed.class,
                committed -> assertThat(drain(committed)).containsExactly("start", "Hel", "lo", "stop"));
    }

    @Test
    void anEventSplitAcrossTheFirstDialectsFramesIsReadWhole() {
        var chain = new SseChainedDialect<>(new ToSse(), new FromSse());

        assertThat(chain.step("half:emit")).isInstanceOf(DialectStep.Hold.class);
        assertThat(chain.step("rest:")).isInstanceOfSatisfying(DialectStep.Emit.class,
                emit -> assertThat(texts(emit.frames())).containsExactly("split"));
    }

    @Test
    void aFailureOfTheFirstKeepsItsSignalBeforeOutput() {
        var opening = new PreOutputGate<>(new Reads().then("hold:start", "fail:throttled"),
                new SseChainedDialect<>(new ToSse(), new FromSse())).open();

        assertThat(opening).isInstanceOfSatisfying(PreOutputGate.Opening.Failed.class,
                failed -> assertThat(failed.signal().errorCode()).isEqualTo("throttled"));
    }

    @Test
    void afterOutputTheClientsErrorCarriesTheFirstDialectsMessage() {
        var source = new Reads().then("emit:Hel").then("fail:throttled");

        var opening = new PreOutputGate<>(source, new SseChainedDialect<>(new ToSse(), new FromSse())).open();

        assertThat(opening).isInstanceOfSatisfying(PreOutputGate.Opening.Committed.class,
                committed -> assertThat(drain(committed)).containsExactly("Hel", "client-error:throttled"));
    }

    @Test
    void anEndOfTheFirstWithoutTheSecondsTerminalEventIsTheSecondsEndOfBody() {
        var chain = new SseChainedDialect<>(new ToSse(), new FromSse());

        assertThat(chain.step("emit:Hi")).isInstanceOf(DialectStep.Emit.class);
        chain.committed();
        assertThat(chain.endOfBody()).isInstanceOfSatisfying(DialectStep.Finish.class,
                finish -> assertThat(texts(finish.frames())).containsExactly("flushed", "eof"));
    }

    private static List<String> drain(PreOutputGate.Opening.Committed committed) {
        var frames = new ArrayList<String>();
        byte[] frame;
        while ((frame = committed.stream().next()) != null) {
            frames.add(new String(frame, StandardCharsets.UTF_8));
        }
        return frames;
    }

    private static List<String> texts(List<byte[]> frames) {
        return frames.stream().map(frame -> new String(frame, StandardCharsets.UTF_8)).toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static AttemptSignal failed(String code) {
        return AttemptSignal.http("toy", 200).withFault(Fault.STREAM_BROKEN_BEFORE_OUTPUT).withError("error", code,
                false);
    }

    /** Scripted reads of string frames, then the end of the body. */
    private static final class Reads implements FrameSource<String> {
        private final Deque<List<String>> reads = new ArrayDeque<>();

        Reads then(String... frames) {
            reads.add(List.of(frames));
            return this;
        }

        @Override
        public List<String> next() {
            return reads.poll();
        }

        @Override
        public void outputStarted() {
        }

        @Override
        public void finish() {
        }

        @Override
        public void abort() {
            reads.clear();
        }
    }

    /**
     * {@code kind:text} → an SSE event {@code kind} with data {@code text}; {@code half:emit} and {@code rest:} are one
     * event in two frames; a failure is told in the terminal error, and the body's end flushes one last event.
     */
    private static final class ToSse implements StreamDialect<String> {
        private String failedWith;

        @Override
        public void committed() {
        }

        @Override
        public DialectStep step(String frame) {
            String kind = frame.substring(0, frame.indexOf(':'));
            String text = frame.substring(frame.indexOf(':') + 1);
            return switch (kind) {
                case "half" -> DialectStep.hold(bytes("event: emit\n"));
                case "rest" -> DialectStep.emit(bytes("data: split\n\n"));
                case "fail" -> {
                    failedWith = text;
                    yield new DialectStep.Fail(failed(text), StreamBreak.ERROR_EVENT);
                }
                default -> DialectStep.emit(SseFrames.event(kind, text));
            };
        }

        @Override
        public DialectStep endOfBody() {
            return new DialectStep.Finish(List.of(SseFrames.event("hold", "flushed")));
        }

        @Override
        public DialectStep transportFailed(Fault fault) {
            return new DialectStep.Fail(AttemptSignal.http("toy", 0).withFault(fault), StreamBreak.BROKEN);
        }

        @Override
        public DialectStep malformed() {
            return new DialectStep.Fail(failed("malformed"), StreamBreak.MALFORMED);
        }

        @Override
        public List<byte[]> interruption(StreamBreak why) {
            return List.of(SseFrames.event("error", failedWith == null ? why.name() : failedWith));
        }
    }

    /** SSE events named for their meaning → their data as frames; the error event's data is the client's error. */
    private static final class FromSse implements StreamDialect<SseItem> {
        private String error = "none";

        @Override
        public void committed() {
        }

        @Override
        public DialectStep step(SseItem item) {
            if (!(item instanceof SseItem.Event event)) {
                return new DialectStep.Hold(List.of());
            }
            return switch (event.type()) {
                case "hold" -> DialectStep.hold(bytes(event.data()));
                case "emit" -> event.data().isEmpty() ? new DialectStep.Hold(List.of())
                        : DialectStep.emit(bytes(event.data()));
                case "end" -> new DialectStep.Finish(List.of(bytes(event.data())));
                case "error" -> {
                    error = event.data();
                    yield new DialectStep.Fail(failed(event.data()), StreamBreak.ERROR_EVENT);
                }
                default -> throw new IllegalArgumentException(event.type());
            };
        }

        @Override
        public DialectStep endOfBody() {
            return new DialectStep.Finish(List.of(bytes("eof")));
        }

        @Override
        public DialectStep transportFailed(Fault fault) {
            return new DialectStep.Fail(AttemptSignal.http("toy", 0).withFault(fault), StreamBreak.BROKEN);
        }

        @Override
        public DialectStep malformed() {
            return new DialectStep.Fail(failed("malformed"), StreamBreak.MALFORMED);
        }

        @Override
        public List<byte[]> interruption(StreamBreak why) {
            return List.of(bytes("client-error:" + error));
        }
    }
}
