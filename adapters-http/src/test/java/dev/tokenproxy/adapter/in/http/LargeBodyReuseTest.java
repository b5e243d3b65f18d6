package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.GatewayErrorAssertions.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

    /**
     * Six clients at a time, each prompt held inside the use case until all six are there: if an array went back to
     * the buffers while its request still held it, another of the six would have read its prompt into it.
     */
    @Test
    void concurrentPromptsOfManySizesEachKeepTheirOwnBytesWhileTheyAreForwarded() throws Exception {
        int clients = 6;
        int promptsEach = 12;
        var sent = new ConcurrentHashMap<String, String>();
        var wrong = new CopyOnWriteArrayList<String>();
        var together = new CyclicBarrier(clients);
        try (var gateway = RunningGateway.withBodyLimit(LIMIT);
             var pool = Executors.newFixedThreadPool(clients)) {
            gateway.forward.answerWith(command -> {
                try {
                    together.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    wrong.add("the six prompts never met: " + e);
                }
                String forwarded = text(command.body().bytes());
                String id = forwarded.substring(forwarded.indexOf("\"id\":\"") + 6, forwarded.indexOf("\",\"pad\""));
                if (!forwarded.equals(sent.get(id))) {
                    wrong.add(id);
                }
                return ScriptedForwardUseCase.buffered(200, "{\"object\":\"chat.completion\"}");
            });
            var statuses = new ArrayList<Future<Integer>>();
            for (int client = 0; client < clients; client++) {
                for (int prompt = 0; prompt < promptsEach; prompt++) {
                    // 64 KiB to ~420 KB: arrays of three sizes are taken, given back and taken again.
                    int n = client * promptsEach + prompt;
                    String id = client + "-" + prompt;
                    String body = chatBodyOf(65_536 + n * 4_999 % 360_000, (char) ('a' + n % 26))
                            .replace("\"pad\"", "\"id\":\"" + id + "\",\"pad\"");
                    sent.put(id, body);
                    statuses.add(pool.submit(() -> gateway.send(gateway.chat(body)).statusCode()));
                }
            }
            for (var status : statuses) {
                assertThat(status.get()).isEqualTo(200);
            }
        }

        assertThat(wrong).as("prompts forwarded with bytes not their own").isEmpty();
    }

    /**
     * A client that waits for {@code 100 Continue} before it sends its prompt: the body is not on the socket until
     * Helidon invites it, which it does when the entity stream is opened; read straight from the socket before that
     * (ADR 0019), the two sides would wait for each other.
     */
    @Test
    void aLargePromptSentAfter100ContinueIsForwardedExactly() {
        String body = chatBodyOf(200_000, 'c');
        try (var gateway = RunningGateway.withBodyLimit(LIMIT); var client = RawConnection.to(gateway)) {
            var invitation = client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length()
                    + "\r\nExpect: 100-continue\r\n\r\n").readResponse();
            assertThat(invitation.status()).isEqualTo(100);

            assertThat(client.send(body).readResponse().status()).isEqualTo(200);
            assertThat(text(gateway.forward.onlyCommand().body().bytes())).isEqualTo(body);
        }
    }

    /** Two large prompts in one write: the first is read from the socket up to its last byte and not one further. */
    @Test
    void twoLargePromptsPipelinedInOneWriteAreEachForwardedExactly() {
        String first = chatBodyOf(260_000, 'p');
        String second = chatBodyOf(90_000, 'q');
        try (var gateway = RunningGateway.withBodyLimit(LIMIT); var client = RawConnection.to(gateway)) {
            client.send(chatRequest(first) + chatRequest(second));

            assertThat(client.readResponse().status()).isEqualTo(200);
            assertThat(client.readResponse().status()).isEqualTo(200);
            assertThat(gateway.forward.received()).extracting(command -> text(command.body().bytes()))
                    .containsExactly(first, second);
        }
    }

    private static String chatRequest(String body) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
