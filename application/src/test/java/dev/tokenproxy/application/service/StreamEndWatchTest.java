package dev.tokenproxy.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StreamEndWatchTest {

    private static final TokenUsage USAGE = new TokenUsage(3, 0, 0, 5, 0);

    private final List<String> events = new ArrayList<>();
    private final List<StreamEnd> reports = new ArrayList<>();

    /** Closing an upstream stream may wait for the upstream's own end; the report must not wait behind it. */
    @Test
    void aStreamPulledToItsEndIsReportedBeforeItIsClosed() {
        var upstream = new ScriptedStream("one", "two");
        var watch = new StreamEndWatch(upstream, this::report);

        drain(watch);
        events.add("client has the end");
        watch.close();

        assertThat(events).containsExactly("reported Completed", "client has the end", "closed");
        assertThat(reports).containsExactly(new StreamEnd.Completed(USAGE));
    }

    @Test
    void aBreakAfterOutputIsReportedWithItsSignalAtTheEnd() {
        var upstream = new ScriptedStream("one", "{\"error\":{}}");
        AttemptSignal cut = AttemptSignal.fault("openai", Fault.IDLE_TIMEOUT);
        upstream.brokenBy = cut;
        var watch = new StreamEndWatch(upstream, this::report);

        drain(watch);

        assertThat(reports).containsExactly(new StreamEnd.Interrupted(cut, USAGE));
    }

    @Test
    void aCloseBeforeTheEndIsTheClientLeavingReportedOnce() {
        var upstream = new ScriptedStream("one", "two");
        var watch = new StreamEndWatch(upstream, this::report);

        watch.next();
        watch.close();
        watch.close();

        assertThat(events).containsExactly("closed", "reported ClientCancelled");
        assertThat(reports).hasSize(1);
    }

    @Test
    void theEndIsReportedOnceWhateverComesAfterIt() {
        var watch = new StreamEndWatch(new ScriptedStream("one"), this::report);

        drain(watch);
        assertThat(watch.next()).isNull();
        watch.close();

        assertThat(reports).hasSize(1);
    }

    private void report(StreamEnd end) {
        events.add("reported " + end.getClass().getSimpleName());
        reports.add(end);
    }

    private static void drain(ReplyStream stream) {
        while (stream.next() != null) {
            // the HTTP adapter writes each chunk to the client here
        }
    }

    /** Hands out its chunks, then says it ended; records its close in the test's events. */
    private final class ScriptedStream implements ReplyStream {
        private final Deque<String> chunks;
        private AttemptSignal brokenBy;

        ScriptedStream(String... chunks) {
            this.chunks = new ArrayDeque<>(List.of(chunks));
        }

        @Override
        public byte[] next() {
            String chunk = chunks.poll();
            return chunk == null ? null : chunk.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public Optional<AttemptSignal> brokenAfterOutput() {
            return chunks.isEmpty() ? Optional.ofNullable(brokenBy) : Optional.empty();
        }

        @Override
        public TokenUsage usage() {
            return USAGE;
        }

        private boolean closed;

        @Override
        public void close() {
            // Idempotent, as ReplyStream asks.
            if (!closed) {
                closed = true;
                events.add("closed");
            }
        }
    }
}
