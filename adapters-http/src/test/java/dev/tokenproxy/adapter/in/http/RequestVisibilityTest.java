package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.ForwardSummary;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * What an operator and a client can see of a forwarded request: its id on every response, the upstream and the
 * attempts in headers (labels only), and one log line per request.
 */
class RequestVisibilityTest {

    private static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[]}";

    private static ForwardResult servedBy(String upstream, String credential, int attempts, String model) {
        return new ForwardResult.Delivered(new UpstreamReply.Buffered(200, Map.of("content-type", "application/json"),
                "{}".getBytes(StandardCharsets.UTF_8)),
                new ForwardSummary(attempts, Optional.of(new CredentialKey(upstream, credential)), Optional.of(model)));
    }

    private static String requestLines(LoggedRecords logs, int count) throws InterruptedException {
        assertThat(logs.awaitRecords("dev.tokenproxy.requests", count)).isTrue();
        return String.join("\n", logs.visible().stream().filter(r -> "dev.tokenproxy.requests".equals(r.getLoggerName()))
                .map(LogRecord::getMessage).toList());
    }

    @Test
    void everyResponseCarriesARequestIdAndAUsableOneFromTheClientIsKept() {
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(servedBy("a", "key-1", 1, "gpt-4o"));

            var own = gateway.send(gateway.chat(CHAT).header("x-request-id", "client-trace-42"));
            var made = gateway.send(gateway.chat(CHAT));
            var forged = gateway.send(gateway.chat(CHAT).header("x-request-id", "bad id with spaces"));
            var health = gateway.get("/health");
            var unknown = gateway.get("/v1/embeddings");

            assertThat(own.headers().firstValue("x-request-id")).contains("client-trace-42");
            assertThat(made.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id)
                    .matches("req_[0-9a-f]{24}"));
            assertThat(forged.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id)
                    .startsWith("req_"));
            assertThat(health.headers().firstValue("x-request-id")).isPresent();
            assertThat(unknown.headers().firstValue("x-request-id")).isPresent();
        }
    }

    @Test
    void aServedAnswerNamesItsUpstreamAndCredentialLabelAndTheAttempts() {
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(servedBy("openai-main", "key-2", 3, "gpt-4.1"));

            var response = gateway.send(gateway.chat(CHAT));

            assertThat(response.headers().firstValue("x-token-proxy-upstream")).contains("openai-main/key-2");
            assertThat(response.headers().firstValue("x-token-proxy-attempts")).contains("3");
        }
    }

    @Test
    void aGatewayFailureStillCountsItsAttempts() {
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Failed(GatewayFailure.UPSTREAM_UNAVAILABLE, "down",
                    Optional.empty(), new ForwardSummary(4, Optional.empty(), Optional.empty())));

            var response = gateway.send(gateway.chat(CHAT));

            assertThat(response.headers().firstValue("x-token-proxy-attempts")).contains("4");
            assertThat(response.headers().firstValue("x-token-proxy-upstream")).isEmpty();
        }
    }

    @Test
    void oneLinePerRequestSaysWhoServedWhatInHowManyAttempts() throws Exception {
        try (var logs = new LoggedRecords(); var gateway = RunningGateway.open()) {
            gateway.forward.answer(servedBy("openai-main", "key-2", 2, "gpt-4.1"));

            gateway.send(gateway.chat(CHAT).header("x-request-id", "trace-1"));

            assertThat(requestLines(logs, 1)).matches("request trace-1: POST /v1/chat/completions model gpt-4o "
                    + "→ gpt-4.1 via openai-main/key-2, 2 attempts, 200, \\d+ ms");
        }
    }

    @Test
    void theLineOfAnAnswerDeliveredWholeSaysItsTokens() throws Exception {
        try (var logs = new LoggedRecords(); var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Delivered(new UpstreamReply.Buffered(200,
                    Map.of("content-type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8)),
                    new ForwardSummary(1, Optional.of(new CredentialKey("a", "key-1")), Optional.of("gpt-4o"),
                            new TokenUsage(12, 0, 0, 34, 0))));

            gateway.send(gateway.chat(CHAT).header("x-request-id", "trace-2"));

            assertThat(requestLines(logs, 1)).matches("request trace-2: POST /v1/chat/completions model gpt-4o "
                    + "via a/key-1, 1 attempt, 200, tokens 12 in / 34 out, \\d+ ms");
        }
    }

    @Test
    void theLineOfAStreamSaysTheTokensItReportedAtItsEnd() throws Exception {
        var stream = new ControlledReplyStream();
        stream.reports(new TokenUsage(7, 0, 0, 5, 0));
        try (var logs = new LoggedRecords(); var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Delivered(new UpstreamReply.Streaming(200,
                    Map.of("content-type", "text/event-stream"), stream),
                    new ForwardSummary(1, Optional.of(new CredentialKey("a", "key-1")), Optional.of("gpt-4o"))));
            stream.release("data: {\"n\":1}\n\n");
            stream.end();

            gateway.send(gateway.chat("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}"));

            assertThat(requestLines(logs, 1)).contains("via a/key-1, 1 attempt, 200, tokens 7 in / 5 out, ");
        }
    }

    @Test
    void aRefusedRequestAndAGatewayFailureGetTheirLineToo() throws Exception {
        try (var logs = new LoggedRecords(); var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Failed(GatewayFailure.UPSTREAM_CREDENTIAL_REJECTED,
                    "upstream 'a' rejected", Optional.empty(), new ForwardSummary(1, Optional.empty(),
                    Optional.empty())));

            gateway.send(gateway.chat("{\"model\": \"gpt"));
            gateway.send(gateway.chat(CHAT));

            assertThat(requestLines(logs, 2)).contains("POST /v1/chat/completions, 400 invalid_json")
                    .contains("model gpt-4o, 1 attempt, 502 upstream_credential_rejected");
        }
    }

    @Test
    void aStreamThatBrokeAfterOutputIsSaidSoInItsLine() throws Exception {
        var stream = new ControlledReplyStream();
        stream.brokenBy(AttemptSignal.fault("openai", Fault.IDLE_TIMEOUT));
        try (var logs = new LoggedRecords(); var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Delivered(new UpstreamReply.Streaming(200,
                    Map.of("content-type", "text/event-stream"), stream),
                    new ForwardSummary(1, Optional.of(new CredentialKey("a", "key-1")), Optional.of("gpt-4o"))));
            stream.release("data: {\"n\":1}\n\n");
            stream.end();

            gateway.send(gateway.chat("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}"));

            assertThat(requestLines(logs, 1)).contains("via a/key-1, 1 attempt, 200, stream broke after output "
                    + "(idle timeout)");
        }
    }

    @Test
    void aClientThatLeavesMidStreamIsSaidToHaveLeft() throws Exception {
        var stream = new ControlledReplyStream();
        try (var logs = new LoggedRecords(); var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Delivered(new UpstreamReply.Streaming(200,
                    Map.of("content-type", "text/event-stream"), stream),
                    new ForwardSummary(1, Optional.of(new CredentialKey("a", "key-1")), Optional.of("gpt-4o"))));
            stream.release("data: {\"n\":1}\n\n");
            var response = gateway.client().sendAsync(gateway.chat("{\"model\":\"gpt-4o\",\"stream\":true,"
                    + "\"messages\":[]}").build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream())
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            response.body().read();
            response.body().close();
            // The server learns of it only when a write fails: keep producing until the stream is closed.
            long giveUp = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (!stream.isClosed() && System.nanoTime() < giveUp) {
                stream.release("data: {\"n\":\"more\"}\n\n");
                stream.awaitClosed(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            }

            assertThat(requestLines(logs, 1)).contains("via a/key-1, 1 attempt, 200, client left (499)");
        }
    }
}
