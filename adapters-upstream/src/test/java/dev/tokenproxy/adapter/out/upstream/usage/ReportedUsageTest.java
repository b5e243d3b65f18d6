package dev.tokenproxy.adapter.out.upstream.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.domain.attempt.TokenUsage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReportedUsageTest {

    @Test
    void chatCompletionUsageWithCachedAndReasoningDetails() {
        String body = """
                {"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant",
                "content":"the word usage in the answer","usage":{"prompt_tokens":999}},"finish_reason":"stop"}],
                "usage":{"prompt_tokens":12,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":4},
                "completion_tokens_details":{"reasoning_tokens":3}}}""";

        assertThat(ReportedUsage.ofBody(bytes(body))).isEqualTo(new TokenUsage(12, 4, 0, 7, 3));
    }

    @Test
    void responsesObjectUsage() {
        String body = """
                {"id":"resp_1","object":"response","output":[{"type":"message","content":[{"type":"output_text",
                "text":"hi"}]}],"usage":{"input_tokens":20,"input_tokens_details":{"cached_tokens":5},
                "output_tokens":9,"output_tokens_details":{"reasoning_tokens":2}}}""";

        assertThat(ReportedUsage.ofBody(bytes(body))).isEqualTo(new TokenUsage(20, 5, 0, 9, 2));
    }

    @Test
    void messagesUsageCountsCacheReadsAndWritesAsInput() {
        String body = """
                {"id":"msg_1","type":"message","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":10,
                "cache_read_input_tokens":30,"cache_creation_input_tokens":5,"output_tokens":4}}""";

        assertThat(ReportedUsage.ofBody(bytes(body))).isEqualTo(new TokenUsage(45, 30, 5, 4, 0));
    }

    @Test
    void usageUnderResponseOrMessageWhenTheTopHasNone() {
        String completed = """
                {"type":"response.completed","response":{"id":"r","output":[],"usage":{"input_tokens":3,
                "output_tokens":1},"status":"completed"},"sequence_number":9}""";
        String started = """
                {"type":"message_start","message":{"id":"m","usage":{"input_tokens":8,"output_tokens":1},
                "content":[]}}""";

        assertThat(ReportedUsage.ofBody(bytes(completed))).isEqualTo(new TokenUsage(3, 0, 0, 1, 0));
        assertThat(ReportedUsage.ofBody(bytes(started))).isEqualTo(new TokenUsage(8, 0, 0, 1, 0));
    }

    @Test
    void theTopLevelUsageOutranksANestedOneReadBeforeIt() {
        String body = """
                {"message":{"usage":{"input_tokens":1,"output_tokens":1},"after":[1,{"x":2}]},
                "usage":{"prompt_tokens":50,"completion_tokens":6}}""";

        assertThat(ReportedUsage.ofBody(bytes(body))).isEqualTo(new TokenUsage(50, 0, 0, 6, 0));
    }

    @Test
    void noUsageForAnswersWithoutOneOrThatAreNotJsonObjects() {
        assertThat(ReportedUsage.ofBody(bytes("{\"choices\":[{\"message\":{\"content\":\"\\\"usage\\\"\"}}]}")))
                .isEqualTo(TokenUsage.NONE);
        assertThat(ReportedUsage.ofBody(bytes("[{\"usage\":{\"prompt_tokens\":1}}]"))).isEqualTo(TokenUsage.NONE);
        assertThat(ReportedUsage.ofBody(bytes("{\"usage\":{\"prompt_tokens\":1"))).isEqualTo(TokenUsage.NONE);
        assertThat(ReportedUsage.ofBody(new byte[0])).isEqualTo(TokenUsage.NONE);
    }

    /**
     * A whole body's usage is read as tokens, a stream chunk's from its tree: both must count the same, whatever the
     * values' types, the fields' order, repeated fields or details that are not objects.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}",
            "{\"usage\":{\"completion_tokens\":7,\"prompt_tokens_details\":{\"cached_tokens\":4,\"audio\":[1]},"
                    + "\"completion_tokens_details\":{\"reasoning_tokens\":3}}}",
            "{\"usage\":{\"prompt_tokens\":null,\"input_tokens\":9,\"output_tokens\":2}}",
            "{\"usage\":{\"input_tokens\":20,\"output_tokens\":9,\"input_tokens_details\":{\"cached_tokens\":5},"
                    + "\"output_tokens_details\":{\"reasoning_tokens\":2}}}",
            "{\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":30,\"cache_creation_input_tokens\":5,"
                    + "\"output_tokens\":4,\"input_tokens_details\":{\"cached_tokens\":40}}}",
            "{\"usage\":{\"prompt_tokens\":12.9,\"completion_tokens\":-3,\"prompt_tokens_details\":7}}",
            "{\"usage\":{\"prompt_tokens\":\"12\",\"completion_tokens\":true,\"x\":{\"prompt_tokens\":5}}}",
            "{\"usage\":{\"prompt_tokens\":99999999999999999999,\"completion_tokens\":1e30}}",
            "{\"usage\":{\"prompt_tokens\":1,\"prompt_tokens\":8,\"completion_tokens\":2}}",
            "{\"usage\":{\"prompt_tokens\":1,\"prompt_tokens_details\":{\"cached_tokens\":4},"
                    + "\"prompt_tokens_details\":{\"other\":1}}}",
            "{\"usage\":{\"output_tokens_details\":{\"reasoning_tokens\":1,\"reasoning_tokens\":6}}}",
            "{\"usage\":{}}",
            "{\"id\":\"r\",\"response\":{\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}",
            "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":8,\"output_tokens\":1}}}"})
    void aBodyIsCountedAsAStreamChunkWithTheSameDocumentIs(String document) {
        var fromChunk = ReportedUsage.ofChunk(bytes("data: " + document + "\n\n"));

        assertThat(fromChunk).isPresent();
        assertThat(ReportedUsage.ofBody(bytes(document))).isEqualTo(fromChunk.get());
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
