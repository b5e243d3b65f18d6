package dev.tokenproxy.adapter.out.upstream.format.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChatJsonTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    /** Long strings take another way through the generator; the bytes must be the ones Jackson writes anyway. */
    @ParameterizedTest
    @ValueSource(ints = {1, 255, 256, 257, 300_000})
    void aTreeIsWrittenAsJacksonWritesItWhateverTheLengthOfItsStrings(int length) throws Exception {
        String piece = "plain text, \"quoted\" \\ back\\slash\n\ttab \u0001 caf\u00e9 \u65e5\u672c \uD83D\uDE00 </script> ";
        String text = piece.repeat(length / piece.length() + 1).substring(0, length);
        ObjectNode tree = PLAIN.createObjectNode().put("model", "m");
        tree.putArray("messages").addObject().put("role", "user").put("content", text);
        tree.putObject("metadata").put("n", 42).put("x", 1.5).putNull("none").put(text.substring(0, 1), text);

        byte[] written = ChatJson.bytes(tree);

        assertThat(written).isEqualTo(PLAIN.writeValueAsBytes(tree));
        assertThat(PLAIN.readTree(written)).isEqualTo(tree);
    }
}
