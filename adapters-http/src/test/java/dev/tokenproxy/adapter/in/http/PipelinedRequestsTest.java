package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.RunningGateway.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 pipelining: requests written back to back on one connection, before any answer, are each answered once
 * and in the order they were sent, whatever mix of cheap and forwarded requests they are.
 */
class PipelinedRequestsTest {

    private static final int REQUESTS = 2_000;

    @Test
    void twoThousandPipelinedRequestsAreAllAnsweredInOrder() throws Exception {
        var pipelined = new StringBuilder();
        for (int i = 0; i < REQUESTS; i++) {
            pipelined.append(i % 2 == 0 ? health(i) : chat(i));
        }
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"));
             var client = RawConnection.to(gateway)) {
            // Written while the answers are read: a client that writes everything first can fill both sides'
            // buffers and wait on a server that waits for it.
            var written = CompletableFuture.runAsync(() -> client.send(pipelined.toString()));

            var ids = new ArrayList<String>();
            for (int i = 0; i < REQUESTS; i++) {
                var response = client.readResponse();
                assertThat(response.status()).as("response %d: %s", i, response.body()).isEqualTo(200);
                ids.add(response.header("x-request-id"));
            }
            written.get(30, TimeUnit.SECONDS);

            assertThat(ids).containsExactlyElementsOf(IntStream.range(0, REQUESTS).mapToObj(i -> "pipe-" + i).toList());
            List<String> forwardedModels = gateway.forward.received().stream().map(ForwardRequestCommand::model).toList();
            assertThat(forwardedModels).containsExactlyElementsOf(
                    IntStream.range(0, REQUESTS).filter(i -> i % 2 == 1).mapToObj(i -> "model-" + i).toList());
        }
    }

    private static String health(int i) {
        return "GET /health HTTP/1.1\r\nHost: gateway\r\nx-request-id: pipe-" + i + "\r\n\r\n";
    }

    private static String chat(int i) {
        String body = "{\"model\":\"model-" + i + "\",\"messages\":[]}";
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer k-laptop\r\n"
                + "Content-Type: application/json\r\nx-request-id: pipe-" + i + "\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }
}
