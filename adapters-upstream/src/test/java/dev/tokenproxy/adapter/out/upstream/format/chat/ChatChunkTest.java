package dev.tokenproxy.adapter.out.upstream.format.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.adapter.out.upstream.format.chat.ChatChunk.Kind;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatChunkTest {

    private static final String HEAD = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",";

    /** Every chunk here must get the same kind and finish reason from the token scan as from the tree. */
    @ParameterizedTest
    @ValueSource(strings = {
        HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":null}]}",
        HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token\"},\"finish_reason\":null}]}",
        HEAD + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
        HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5,\"total_tokens\":8}}",
        HEAD + "\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]}}]}",
        HEAD + "\"choices\":[{\"delta\":{\"tool_calls\":[]}}]}",
        HEAD + "\"choices\":[{\"delta\":{\"audio\":{}}}]}",
        HEAD + "\"choices\":[{\"delta\":{\"audio\":{\"id\":\"a\"}}}]}",
        HEAD + "\"choices\":[{\"delta\":{\"reasoning_content\":\"thinking\"}}]}",
        HEAD + "\"choices\":[{\"delta\":{\"reasoning\":\"thinking\",\"content\":null}}]}",
        HEAD + "\"choices\":[{\"delta\":{\"function_call\":{\"name\":\"f\"}}}]}",
        HEAD + "\"choices\":[{\"delta\":{\"content\":0}}]}",
        HEAD + "\"choices\":[{\"delta\":{\"content\":false}}]}",
        HEAD + "\"choices\":[{\"delta\":null,\"finish_reason\":\"length\"}]}",
        HEAD + "\"choices\":[{\"delta\":\"text\"}]}",
        HEAD + "\"choices\":[{\"delta\":{}},{\"delta\":{\"content\":\"second\"},\"finish_reason\":\"stop\"}]}",
        HEAD + "\"choices\":[{\"finish_reason\":null},{\"finish_reason\":\"length\"},{\"finish_reason\":\"stop\"}]}",
        HEAD + "\"choices\":[{\"finish_reason\":7}]}",
        HEAD + "\"choices\":[{\"finish_reason\":[\"stop\"]}]}",
        HEAD + "\"choices\":[\"not an object\"]}",
        HEAD + "\"choices\":{\"0\":{\"delta\":{\"content\":\"a map of choices\"}}}}",
        HEAD + "\"choices\":\"none\"}",
        "{\"choices\":[{\"delta\":{\"content\":\"x\",\"content\":\"\"}}]}",
        "{\"choices\":[{\"delta\":{\"content\":\"\",\"content\":\"x\"}}]}",
        "{\"choices\":[{\"delta\":{\"content\":\"x\"},\"delta\":{}}]}",
        "{\"choices\":[{\"finish_reason\":\"stop\",\"finish_reason\":\"length\"}]}",
        "{\"choices\":[],\"choices\":[{\"delta\":{\"content\":\"later\"}}]}",
        "{\"error\":null,\"choices\":[{\"delta\":{\"content\":\"x\"}}]}",
        "{\"error\":{\"message\":\"overloaded\"}}",
        "{\"error\":null,\"error\":{\"message\":\"second\"}}",
        "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]} trailing",
        "{\"choices\":[{\"delta\":{\"content\":\"cut",
        "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]",
        "[1, 2]",
        "\"text\"",
        "",
        "not json",
        " [DONE] ",
        "{}"
    })
    void theScanAgreesWithTheTree(String data) {
        ChatChunk tree = ChatChunk.of(data);
        ChatChunk scanned = ChatChunk.scan(data);

        assertThat(scanned.kind()).isEqualTo(tree.kind());
        assertThat(scanned.finishReason()).isEqualTo(tree.finishReason());
        assertThat(scanned.data()).isSameAs(data);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}|SILENT|",
        "{\"choices\":[{\"delta\":{\"content\":\" token\"},\"finish_reason\":null}]}|OUTPUT|",
        "{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}|SILENT|stop",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0}]},\"finish_reason\":\"tool_calls\"}]}|OUTPUT|tool_calls"
    })
    void theUsualChunksAreSettledByTheScanAloneWithoutATree(String data, Kind kind, String finishReason) {
        assertThat(ChatChunkScan.read(data)).hasValueSatisfying(chunk -> {
            assertThat(chunk.kind()).isEqualTo(kind);
            assertThat(chunk.finishReason()).isEqualTo(finishReason);
            assertThat(chunk.json()).isNull();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"error\":{\"message\":\"overloaded\"}}",
        "{\"choices\":[{\"delta\":{\"content\":\"x\",\"content\":\"\"}}]}",
        "{\"choices\":{\"0\":{}}}",
        "{\"choices\":[{\"delta\":{\"content\":\"cut"
    })
    void whatTheScanCannotSettleIsLeftToTheTree(String data) {
        assertThat(ChatChunkScan.read(data)).isEqualTo(Optional.empty());
    }
}
