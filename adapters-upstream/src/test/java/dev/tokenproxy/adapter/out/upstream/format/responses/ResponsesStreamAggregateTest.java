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
    void aFailedStreamGivesItsFailedResponseForTheCallerToClassify() throws Exception {
        var stream = new Frames(SseFrames.event("response.failed", "{\"type\":\"response.failed\","
                + "\"sequence_number\":2,\"response\":{\"id\":\"resp_1\",\"status\":\"failed\",\"output\":[],"
                + "\"error\":{\"code\":\"server_is_overloaded\",\"message\":\"busy\"}}}"));

        var response = JSON.readTree(ResponsesStreamAggregate.collect(stream).orElseThrow());

        assertThat(response.path("status").asText()).isEqualTo("failed");
        assertThat(response.at("/error/code").asText()).isEqualTo("server_is_overloaded");
    }

    @Test
    void aStreamWithoutTerminalEventHasNothingToDeliver() {
        var stream = new Frames(SseFrames.event("response.output_text.delta",
                "{\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"delta\":\"Hi\"}"));

        assertThat(ResponsesStreamAggregate.collect(stream)).isEmpty();
    }

    @Test
    void rebuildsAnEmptyCompletedOutputFromTheItemsDoneInOutputIndexOrder() throws Exception {
        var stream = new Frames(
                SseFrames.event("response.output_item.done", "{\"type\":\"response.output_item.done\","
                        + "\"sequence_number\":5,\"output_index\":1,\"item\":{\"id\":\"msg_1\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hi\"}]}}"),
                SseFrames.event("response.output_item.done", "{\"type\":\"response.output_item.done\","
                        + "\"sequence_number\":3,\"output_index\":0,\"item\":{\"id\":\"rs_1\",\"type\":\"reasoning\","
                        + "\"summary\":[]}}"),
                SseFrames.event("response.completed", "{\"type\":\"response.completed\",\"sequence_number\":6,"
                        + "\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"output\":[],"
                        + "\"usage\":{\"output_tokens\":3}}}"));

        var response = JSON.readTree(ResponsesStreamAggregate.collect(stream).orElseThrow());

        assertThat(response.path("output")).extracting(item -> item.path("id").asText())
                .containsExactly("rs_1", "msg_1");
        assertThat(response.at("/output/1/content/0/text").asText()).isEqualTo("Hi");
    }

    @Test
    void keepsACompletedOutputThatIsNotEmpty() throws Exception {
        var stream = new Frames(
                SseFrames.event("response.output_item.done", "{\"type\":\"response.output_item.done\","
                        + "\"sequence_number\":2,\"output_index\":0,\"item\":{\"id\":\"msg_other\",\"type\":\"message\"}}"),
                SseFrames.event("response.completed", COMPLETED));

        var response = JSON.readTree(ResponsesStreamAggregate.collect(stream).orElseThrow());

        assertThat(response.path("output")).hasSize(1);
        assertThat(response.at("/output/0/content/0/text").asText()).isEqualTo("Hi");
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
