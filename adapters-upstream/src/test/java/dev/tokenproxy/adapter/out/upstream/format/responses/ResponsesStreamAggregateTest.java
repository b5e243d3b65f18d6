package dev.tokenproxy.adapter.out.upstream.format.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.application.model.ReplyStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A streamed Responses answer, aggregated into the one body a non-stream client gets. */
class ResponsesStreamAggregateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COMPLETED = "{\"type\":\"response.completed\",\"sequence_number\":3,\"response\":"
            + "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"output\":[{\"type\":\"message\","
            + "\"content\":[{\"type\":\"output_text\",\"text\":\"Hi\"}]}],\"usage\":{\"total_tokens\":7}}}";

    @Test
    void keepsTheResponseObjectOfTheTerminalEventAndClosesTheStream() throws Exception {
        var stream = new Frames(
                SseFrames.event("response.created", "{\"type\":\"response.created\",\"sequence_number\":0,"
                        + "\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"output\":[]}}"),
                SseFrames.event("response.output_text.delta",
                        "{\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"delta\":\"Hi\"}"),
                SseFrames.event("response.completed", COMPLETED));

        var body = ResponsesStreamAggregate.collect(stream);

        assertThat(body).isPresent();
        var response = JSON.readTree(body.get());
        assertThat(response.path("status").asText()).isEqualTo("completed");
        assertThat(response.at("/output/0/content/0/text").asText()).isEqualTo("Hi");
        assertThat(response.at("/usage/total_tokens").asInt()).isEqualTo(7);
        assertThat(stream.closed).isTrue();
    }

    @Test
    void aStreamThatFailedHasNothingToDeliver() {
        var stream = new Frames(SseFrames.event("response.failed", "{\"type\":\"response.failed\","
                + "\"sequence_number\":2,\"response\":{\"id\":\"resp_1\",\"status\":\"failed\"}}"));

        assertThat(ResponsesStreamAggregate.collect(stream)).isEmpty();
    }

    /** A committed stream that hands out prepared frames. */
    private static final class Frames implements ReplyStream {
        private final Deque<byte[]> frames;
        boolean closed;

        Frames(byte[]... frames) {
            this.frames = new ArrayDeque<>(List.of(frames));
        }

        @Override
        public byte[] next() {
            return frames.poll();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
