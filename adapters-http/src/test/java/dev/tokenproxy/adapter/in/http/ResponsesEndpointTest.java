package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.domain.routing.InboundFormat;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/responses} goes through the same pipeline as Chat: auth, body limit, parse, then the use case. */
class ResponsesEndpointTest {

    private static HttpRequest.Builder responses(RunningGateway gateway, String json) {
        return gateway.request("/v1/responses").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    @Test
    void aResponsesRequestIsForwardedAsTheResponsesFormatWithItsModelAndStreamFlag() {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.send(responses(gateway,
                    "{\"model\":\"gpt-5-codex\",\"stream\":true,\"instructions\":\"be brief\",\"input\":\"hi\"}"));

            assertThat(response.statusCode()).isEqualTo(200);
            var command = gateway.forward.onlyCommand();
            assertThat(command.format()).isEqualTo(InboundFormat.RESPONSES);
            assertThat(command.model()).isEqualTo("gpt-5-codex");
            assertThat(command.stream()).isTrue();
        }
    }

    @Test
    void aResponsesRequestWithoutAKeyIsRefusedInTheOpenAiShape() {
        try (var gateway = RunningGateway.withKeys(RunningGateway.key("laptop", "tp-secret"))) {
            var response = gateway.send(responses(gateway, "{\"model\":\"m\",\"input\":\"hi\"}"));

            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(RunningGateway.json(response).at("/error/code").asText()).isEqualTo("invalid_api_key");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aResponsesRequestWithoutAModelIsA400NamingTheParam() {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.send(responses(gateway, "{\"input\":\"hi\"}"));

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(RunningGateway.json(response).at("/error/param").asText()).isEqualTo("model");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }
}
