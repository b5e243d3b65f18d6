package dev.tokenproxy.adapter.out.upstream.format.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Chat completions as the Anthropic {@code message} objects a Messages client reads. */
class ChatCompletionToMessageTest {

    private static JsonNode convert(String message, String finishReason) {
        String completion = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-x\","
                + "\"choices\":[{\"index\":0,\"message\":" + message + ",\"finish_reason\":\"" + finishReason + "\"}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":8}}}";
        byte[] converted = ChatCompletionToMessage.convert(completion.getBytes(StandardCharsets.UTF_8)).orElseThrow();
        return MessagesEventScript.tree(new String(converted, StandardCharsets.UTF_8));
    }

    @Test
    void theContentIsATextBlockAndUsageLeavesTheCachedTokensOutOfInput() {
        JsonNode message = convert("{\"role\":\"assistant\",\"content\":\"Hi\"}", "stop");

        assertThat(message.path("id").asText()).isEqualTo("msg_chatcmpl-1");
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("role").asText()).isEqualTo("assistant");
        assertThat(message.path("model").asText()).isEqualTo("gpt-x");
        assertThat(message.path("content").toString()).isEqualTo("[{\"type\":\"text\",\"text\":\"Hi\"}]");
        assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(message.path("usage").toString()).isEqualTo("{\"input_tokens\":4,\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":8,\"output_tokens\":3}");
    }

    @Test
    void reasoningAndToolCallsBecomeThinkingAndToolUseBlocksInThatOrder() {
        JsonNode message = convert("{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"Hm\","
                + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}},{\"id\":\"call_2\",\"type\":\"function\","
                + "\"function\":{\"name\":\"broken\",\"arguments\":\"{not json\"}}]}", "tool_calls");

        JsonNode content = message.path("content");
        assertThat(content.at("/0/type").asText()).isEqualTo("thinking");
        assertThat(content.at("/1").toString()).isEqualTo("{\"type\":\"tool_use\",\"id\":\"call_1\","
                + "\"name\":\"get_weather\",\"input\":{\"city\":\"Rome\"}}");
        assertThat(content.at("/2/input/arguments").asText()).isEqualTo("{not json");
        assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
    }

    @ParameterizedTest
    @CsvSource({"stop,end_turn", "length,max_tokens", "tool_calls,tool_use", "content_filter,refusal"})
    void finishReasonsMapToStopReasons(String finishReason, String stopReason) {
        assertThat(convert("{\"role\":\"assistant\",\"content\":\"x\"}", finishReason).path("stop_reason").asText())
                .isEqualTo(stopReason);
    }

    @Test
    void aDocumentOfAnotherShapeIsNotConverted() {
        assertThat(ChatCompletionToMessage.convert("{\"choices\":[]}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(ChatCompletionToMessage.convert("<html>".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
}
