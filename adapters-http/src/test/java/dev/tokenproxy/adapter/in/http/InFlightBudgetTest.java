package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.in.ForwardResult;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Request bodies draw on the budget of bytes in flight; past it a new request gets 503, never an OOM. */
class InFlightBudgetTest {

    private static String chatOf(int bytes) {
        String prefix = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"";
        String suffix = "\"}]}";
        return prefix + "x".repeat(bytes - prefix.length() - suffix.length()) + suffix;
    }

    @Test
    void aRequestThatDoesNotFitTheBudgetGets503WithRetryAfterAndReachesNothing() {
        var budget = new InFlightBytes(1000);
        try (var gateway = RunningGateway.withInFlightBudget(budget)) {
            var response = gateway.send(gateway.chat(chatOf(600)));

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("retry-after")).hasValue("1");
            assertThat(RunningGateway.json(response).at("/error/code").asText()).isEqualTo("gateway_overloaded");
            assertThat(gateway.forward.received()).isEmpty();
            assertThat(budget.used()).isZero();
        }
    }

    @Test
    void aChunkedBodyIsCountedOnceRead() {
        var budget = new InFlightBytes(1000);
        try (var gateway = RunningGateway.withInFlightBudget(budget)) {
            byte[] body = chatOf(600).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            // An input stream publisher has no length: the JDK client sends it chunked.
            var request = gateway.request("/v1/chat/completions").header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)));

            var response = gateway.send(request);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(gateway.forward.received()).isEmpty();
            assertThat(budget.used()).isZero();
        }
    }

    @Test
    void bytesOfARequestInFlightAreHeldUntilItsResponseEndsThenGivenBack() throws Exception {
        var budget = new InFlightBytes(1000);
        var stream = new ControlledReplyStream();
        try (var gateway = RunningGateway.withInFlightBudget(budget)) {
            gateway.forward.answer(new ForwardResult.Delivered(new UpstreamReply.Streaming(200,
                    Map.of("content-type", "text/event-stream"), stream)));
            stream.release("data: {\"n\":1}\n\n");
            var first = gateway.client().sendAsync(gateway.chat(chatOf(300)).build(),
                    HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
            assertThat(first.statusCode()).isEqualTo(200);

            // 600 of 1000 bytes are held by the open stream: a second body of 300 (600 reserved) does not fit.
            assertThat(budget.used()).isEqualTo(600);
            assertThat(gateway.send(gateway.chat(chatOf(300))).statusCode()).isEqualTo(503);

            stream.end();
            try (InputStream body = first.body()) {
                body.readAllBytes();
            }
            // The server gives the bytes back just after the last one is written: the client may see it first.
            awaitReleased(budget);
            gateway.forward.answer(ScriptedForwardUseCase.buffered(200, "{\"ok\":true}"));
            assertThat(gateway.send(gateway.chat(chatOf(300))).statusCode()).isEqualTo(200);
            awaitReleased(budget);
        }
    }

    @Test
    void anOutOfMemoryErrorReachesTheClientAs503NotAs500() {
        var budget = new InFlightBytes(1000);
        try (var gateway = RunningGateway.withInFlightBudget(budget)) {
            gateway.forward.fail(new OutOfMemoryError("Java heap space (simulated)"));

            var response = gateway.send(gateway.chat(chatOf(100)));

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("retry-after")).hasValue("1");
            assertThat(RunningGateway.json(response).at("/error/code").asText()).isEqualTo("gateway_overloaded");
            awaitReleased(budget);
        }
    }

    private static void awaitReleased(InFlightBytes budget) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (budget.used() != 0 && System.nanoTime() < giveUp) {
            Thread.onSpinWait();
        }
        assertThat(budget.used()).isZero();
    }
}
