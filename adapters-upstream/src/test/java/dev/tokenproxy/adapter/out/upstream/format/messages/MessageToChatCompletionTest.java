package dev.tokenproxy.adapter.out.upstream.format.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Anthropic {@code message} objects as the chat completions a Chat client reads. */
class MessageToChatCompletionTest {

    private static final String USAGE = "{\"input_tokens\":10,\"output_tokens\":5,\"cache_creation_input_tokens\":2,"
            + "\"cache_read_input_tokens\":4}";

    private static JsonNode convert(String content, String stopReason) {
        String message = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\","
                + "\"content\":" + content + ",\"stop_reason\":" + MessagesEventScript.quoted(stopReason)
                + ",\"stop_sequence\":null,\"usage\":" + USAGE + "}";
        byte[] completion = MessageToChatCompletion.convert(message.getBytes(StandardCharsets.UTF_8), 1_700_000_000L)
                .orElseThrow();
        return MessagesEventScript.tree(new String(completion, StandardCharsets.UTF_8));
    }

    @Test
    void textBlocksAreTheContentAndUsageCountsEveryPromptToken() {
        JsonNode completion = convert("[{\"type\":\"text\",\"text\":\"Hello \"},{\"type\":\"text\",\"text\":\"there\"}]",
                "end_turn");

        assertThat(completion.path("id").asText()).isEqualTo("chatcmpl-msg_1");
        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.path("created").asLong()).isEqualTo(1_700_000_000L);
        assertThat(completion.path("model").asText()).isEqualTo("claude-x");
        assertThat(completion.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(completion.at("/choices/0/message/content").asText()).isEqualTo("Hello there");
        assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(completion.at("/usage/prompt_tokens").asInt()).isEqualTo(16);
        assertThat(completion.at("/usage/completion_tokens").asInt()).isEqualTo(5);
        assertThat(completion.at("/usage/total_tokens").asInt()).isEqualTo(21);
        assertThat(completion.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(4);
    }

    @Test
    void toolUseBlocksAreToolCallsWithTheirInputAsAStringAndNullContent() {
        JsonNode completion = convert("[{\"type\":\"thinking\",\"thinking\":\"Hm.\",\"signature\":\"s\"},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Rome\"}}]",
                "tool_use");

        JsonNode message = completion.at("/choices/0/message");
        assertThat(message.path("content").isNull()).isTrue();
        assertThat(message.path("reasoning_content").asText()).isEqualTo("Hm.");
        assertThat(message.at("/tool_calls/0").toString()).isEqualTo("{\"id\":\"toolu_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}");
        assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    }

    @ParameterizedTest
    @CsvSource({"end_turn,stop", "stop_sequence,stop", "pause_turn,stop", "max_tokens,length",
            "tool_use,tool_calls", "refusal,content_filter"})
    void stopReasonsMapToFinishReasons(String stopReason, String finishReason) {
        assertThat(convert("[{\"type\":\"text\",\"text\":\"x\"}]", stopReason).at("/choices/0/finish_reason")
                .asText()).isEqualTo(finishReason);
    }

    @Test
    void aDocumentOfAnotherShapeIsNotConverted() {
        assertThat(MessageToChatCompletion.convert("{\"content\":\"x\"}".getBytes(StandardCharsets.UTF_8), 0))
                .isEmpty();
        assertThat(MessageToChatCompletion.convert("<html>".getBytes(StandardCharsets.UTF_8), 0)).isEmpty();
    }
}
