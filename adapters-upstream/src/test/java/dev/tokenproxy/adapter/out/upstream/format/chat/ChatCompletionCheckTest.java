package dev.tokenproxy.adapter.out.upstream.format.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.domain.attempt.TokenUsage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatCompletionCheckTest {

    private static final String HEAD = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"m\",";
    private static final String USAGE = ",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5}}";

    /** The shapes real servers send, and the ones the scan must settle alone: it answers, and as the tree does. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":\"stop\"}]" + USAGE + "| DELIVERABLE",
        "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":\"stop\"}]"
                + USAGE + "| EMPTY",
        "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":\"stop\"}]"
                + USAGE + "| EMPTY",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"content\":\"\",\"tool_calls\":[]}}]}| EMPTY",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"content\":\"\",\"tool_calls\":[{\"id\":\"t\"}]}}]}"
                + "| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":\"tool_calls\",\"message\":{\"content\":null}}]}| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":\"length\",\"message\":{\"content\":\"\"}}]}| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"reasoning_content\":\"thought\"}}]}| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"reasoning\":\"thought\",\"content\":\"\"}}]}"
                + "| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"refusal\":\"no\"}}]}| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"audio\":{}}}]}| EMPTY",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"content\":0}}]}| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"content\":false}}]}| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":\"text\"}]}| EMPTY",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":null}]}| EMPTY",
        "\"choices\":[{\"finish_reason\":\"stop\"}]}| EMPTY",
        "\"choices\":[{\"finish_reason\":null,\"message\":{\"content\":\"\"}}]}| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":7,\"message\":{}}]}| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":[\"stop\"],\"message\":{}}]}| DELIVERABLE",
        "\"choices\":[{\"finish_reason\":\"stop\",\"message\":{}},{\"message\":{\"content\":\"second\"}}]}| EMPTY",
        "\"choices\":[{\"finish_reason\":\"length\",\"message\":{}},{\"finish_reason\":\"stop\"}]}| DELIVERABLE",
        "\"choices\":[]}| DELIVERABLE",
        "\"choices\":[\"not an object\"]}| DELIVERABLE",
        "\"choices\":{\"0\":{\"finish_reason\":\"stop\",\"message\":{}}}}| DELIVERABLE",
        "\"choices\":null}| DELIVERABLE",
        "\"object\":\"error\",\"error\":{\"message\":\"no\"}}| NOT_A_COMPLETION",
        "\"choices\":[{\"message\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],\"extra\":{\"choices\":1}}"
                + "| DELIVERABLE",
    })
    void theScanAnswersAsTheTreeDoes(String rest, ChatCompletionCheck expected) {
        byte[] body = (HEAD + rest).getBytes(StandardCharsets.UTF_8);

        assertThat(ChatCompletionCheck.ofTree(ChatJson.object(body))).isEqualTo(expected);
        assertThat(ChatCompletionCheck.scan(body).map(ChatCompletionCheck.Reading::verdict)).contains(expected);
        assertThat(ChatCompletionCheck.of(body)).isEqualTo(expected);
    }

    /** The usage at the top, read on the scan's way as the usage reader reads it: the first usage object counts. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5}| 3 | 0 | 5 | 0",
        "\"usage\":{\"prompt_tokens\":40,\"prompt_tokens_details\":{\"cached_tokens\":16},\"completion_tokens\":9,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":3},\"total_tokens\":49}| 40 | 16 | 9 | 3",
        "\"usage\":{\"prompt_tokens\":3},\"usage\":{\"prompt_tokens\":7}| 3 | 0 | 0 | 0",
        "\"usage\":null,\"usage\":{\"completion_tokens\":2}| 0 | 0 | 2 | 0",
        "\"usage\":7| 0 | 0 | 0 | 0",
        "\"extra\":{\"usage\":{\"prompt_tokens\":9}}| 0 | 0 | 0 | 0",
    })
    void theScanReadsTheUsageAtTheTop(String usage, long input, long cached, long output, long reasoning) {
        byte[] body = (HEAD + usage + ",\"choices\":[{\"message\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}")
                .getBytes(StandardCharsets.UTF_8);

        var reading = ChatCompletionCheck.read(body);

        assertThat(reading.verdict()).isEqualTo(ChatCompletionCheck.DELIVERABLE);
        assertThat(reading.usage()).isEqualTo(new TokenUsage(input, cached, 0, output, reasoning));
    }

    @Test
    void whenTheTreeDecidesNoUsageIsRead() {
        byte[] body = (HEAD + "\"choices\":[{\"finish_reason\":\"length\"}],\"choices\":[]" + USAGE)
                .getBytes(StandardCharsets.UTF_8);

        assertThat(ChatCompletionCheck.read(body))
                .isEqualTo(new ChatCompletionCheck.Reading(ChatCompletionCheck.DELIVERABLE, TokenUsage.NONE));
    }

    /** Where the scan cannot be sure (a field it reads given twice, anything that is not whole JSON) the tree decides. */
    @ParameterizedTest
    @ValueSource(strings = {
        HEAD + "\"choices\":[{\"finish_reason\":\"length\"}],\"choices\":[{\"finish_reason\":\"stop\"}]}",
        HEAD + "\"choices\":[{\"finish_reason\":\"length\",\"finish_reason\":\"stop\",\"message\":{}}]}",
        HEAD + "\"choices\":[{\"message\":{\"content\":\"Hi\"},\"message\":{},\"finish_reason\":\"stop\"}]}",
        HEAD + "\"choices\":[{\"message\":{\"content\":\"Hi\",\"content\":\"\"},\"finish_reason\":\"stop\"}]}",
        HEAD + "\"choices\":[{\"message\":{\"content\":\"Hi\"",
        "<html><body>502 Bad Gateway</body></html>",
        "[{\"choices\":[]}]",
        "",
    })
    void whereTheScanIsUnsureTheTreeDecides(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);

        assertThat(ChatCompletionCheck.scan(body)).isEmpty();
        assertThat(ChatCompletionCheck.of(body)).isEqualTo(ChatCompletionCheck.ofTree(ChatJson.object(body)));
    }
}
