package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.GatewayErrorAssertions.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Large prompts are read into arrays the gateway reuses (ADR 0018): each request sees exactly its own bytes, never
 * the end of an earlier prompt that the same array held.
 */
class LargeBodyReuseTest {

    private static final int LIMIT = 1_000_000;

    /** A valid chat body of exactly {@code size} bytes, padded with {@code fill}. */
    private static String chatBodyOf(int size, char fill) {
        String head = "{\"model\":\"gpt-4.1\",\"messages\":[],\"pad\":\"";
        String tail = "\"}";
        return head + String.valueOf(fill).repeat(size - head.length() - tail.length()) + tail;
    }

    @Test
    void aShorterPromptInAReusedArrayIsForwardedWithoutTheEndOfTheLongerOneBeforeIt() {
        String longer = chatBodyOf(250_000, 'a');
        String shorter = chatBodyOf(140_000, 'b');
        List<byte[]> arrays = new CopyOnWriteArrayList<>();
        try (var gateway = RunningGateway.withBodyLimit(LIMIT)) {
            gateway.forward.answerWith(command -> {
                arrays.add(command.body().array());
                return ScriptedForwardUseCase.buffered(200, "{\"object\":\"chat.completion\"}");
            });

            assertThat(gateway.send(gateway.chat(longer)).statusCode()).isEqualTo(200);
            assertThat(gateway.send(gateway.chat(shorter)).statusCode()).isEqualTo(200);

            assertThat(arrays).hasSize(2);
            assertThat(arrays.get(1)).as("the second prompt's array is the first's").isSameAs(arrays.get(0));
            assertThat(gateway.forward.received()).extracting(command -> text(command.body().bytes()))
                    .containsExactly(longer, shorter);
        }
    }

    @Test
    void anArrayGivenBackByARefusedPromptServesTheNextOne() {
        String broken = chatBodyOf(200_000, 'x').replace("\"pad\":", "\"pad\"");
        String valid = chatBodyOf(180_000, 'y');
        try (var gateway = RunningGateway.withBodyLimit(LIMIT)) {
            assertOpenAiError(gateway.send(gateway.chat(broken)), 400, "invalid_request_error", "invalid_json");

            assertThat(gateway.send(gateway.chat(valid)).statusCode()).isEqualTo(200);
            assertThat(text(gateway.forward.onlyCommand().body().bytes())).isEqualTo(valid);
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
