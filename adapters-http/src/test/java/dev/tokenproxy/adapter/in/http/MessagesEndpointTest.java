package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/messages} goes through the same pipeline as Chat, authenticated by {@code x-api-key} as Anthropic
 * clients send it, with its errors in Anthropic's shape; {@code count_tokens} is answered by an estimate.
 */
class MessagesEndpointTest {

    private static final String KEY = "tp-secret";
    private static final String BODY = "{\"model\":\"claude-sonnet\",\"max_tokens\":64,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static HttpRequest.Builder messages(RunningGateway gateway, String path, String json) {
        return gateway.request(path).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    @Test
    void aMessagesRequestFromClaudeCodeIsForwardedAsMessagesWithItsAnthropicHeadersOnly() {
        try (var gateway = RunningGateway.withKeys(RunningGateway.key("laptop", KEY))) {
            var response = gateway.send(messages(gateway, "/v1/messages?beta=true", BODY)
                    .header("x-api-key", KEY)
                    .header("anthropic-version", "2023-06-01")
                    .header("anthropic-beta", "interleaved-thinking-2025-05-14")
                    .header("x-app", "cli"));

            assertThat(response.statusCode()).isEqualTo(200);
            var command = gateway.forward.onlyCommand();
            assertThat(command.format()).isEqualTo(InboundFormat.MESSAGES);
            assertThat(command.model()).isEqualTo("claude-sonnet");
            assertThat(command.stream()).isTrue();
            assertThat(command.clientHeaders()).containsOnly(
                    java.util.Map.entry("anthropic-version", "2023-06-01"),
                    java.util.Map.entry("anthropic-beta", "interleaved-thinking-2025-05-14"));
        }
    }

    @Test
    void chatRequestsCarryNoClientHeaders() {
        try (var gateway = RunningGateway.open()) {
            gateway.send(gateway.chat("{\"model\":\"m\",\"messages\":[]}").header("anthropic-beta", "x"));

            assertThat(gateway.forward.onlyCommand().clientHeaders()).isEmpty();
        }
    }

    @Test
    void aRequestWithAWrongKeyIsRefusedInAnthropicsShape() {
        try (var gateway = RunningGateway.withKeys(RunningGateway.key("laptop", KEY))) {
            var response = gateway.send(messages(gateway, "/v1/messages", BODY).header("x-api-key", "wrong"));

            assertThat(response.statusCode()).isEqualTo(401);
            var json = RunningGateway.json(response);
            assertThat(json.path("type").asText()).isEqualTo("error");
            assertThat(json.at("/error/type").asText()).isEqualTo("authentication_error");
            assertThat(response.headers().firstValue("x-should-retry")).hasValue("false");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aGatewayFailureIsWrittenInAnthropicsShape() {
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(ScriptedForwardUseCase.failed(GatewayFailure.NO_UPSTREAM, "No upstream serves it."));

            var response = gateway.send(messages(gateway, "/v1/messages", BODY));

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(RunningGateway.json(response).at("/error/type").asText()).isEqualTo("api_error");
            assertThat(RunningGateway.json(response).at("/error/message").asText()).contains("No upstream");
        }
    }

    @Test
    void malformedJsonIsA400InAnthropicsShape() {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.send(messages(gateway, "/v1/messages", "{\"model\":"));

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(RunningGateway.json(response).at("/error/type").asText()).isEqualTo("invalid_request_error");
        }
    }

    @Test
    void countTokensIsEstimatedWithoutAskingAnUpstream() {
        try (var gateway = RunningGateway.withKeys(RunningGateway.key("laptop", KEY))) {
            String body = "{\"model\":\"claude-sonnet\",\"system\":\"" + "s".repeat(40) + "\",\"messages\":["
                    + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + "u".repeat(40) + "\"}]}]}";

            var response = gateway.send(messages(gateway, "/v1/messages/count_tokens?beta=true", body)
                    .header("x-api-key", KEY));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(RunningGateway.json(response).path("input_tokens").asLong()).isEqualTo(20);
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void countTokensNeedsTheLocalKey() {
        try (var gateway = RunningGateway.withKeys(RunningGateway.key("laptop", KEY))) {
            var response = gateway.send(messages(gateway, "/v1/messages/count_tokens", BODY));

            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(RunningGateway.json(response).at("/error/type").asText()).isEqualTo("authentication_error");
        }
    }
}
