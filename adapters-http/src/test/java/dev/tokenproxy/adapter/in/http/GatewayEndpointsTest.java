package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.GatewayErrorAssertions.assertOpenAiError;
import static dev.tokenproxy.adapter.in.http.RunningGateway.key;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The routes around the chat endpoint: model listing, health, unknown URLs and the one error handler. */
class GatewayEndpointsTest {

    private static final String CHAT = "{\"model\":\"gpt-4.1\",\"messages\":[]}";

    @Test
    void modelsAreListedInTheOpenAiListShape() {
        try (var gateway = RunningGateway.withModels(() -> List.of("gpt-4.1", "gpt-4o-mini"))) {
            var response = gateway.get("/v1/models");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("application/json"));
            JsonNode root = RunningGateway.json(response);
            assertThat(root.path("object").asText()).isEqualTo("list");
            assertThat(StreamSupport.stream(root.path("data").spliterator(), false)
                    .map(m -> m.path("id").asText())).containsExactly("gpt-4.1", "gpt-4o-mini");
            assertThat(root.path("data")).allSatisfy(model -> {
                assertThat(model.path("object").asText()).isEqualTo("model");
                assertThat(model.path("owned_by").isTextual()).isTrue();
                assertThat(model.path("created").isIntegralNumber()).isTrue();
            });
        }
    }

    @Test
    void noModelsIsAnEmptyList() {
        try (var gateway = RunningGateway.open()) {
            JsonNode root = RunningGateway.json(gateway.get("/v1/models"));

            assertThat(root.path("object").asText()).isEqualTo("list");
            assertThat(root.path("data").isArray()).isTrue();
            assertThat(root.path("data")).isEmpty();
        }
    }

    @Test
    void healthAnswersOkWithoutAKey() {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"))) {
            var response = gateway.get("/health");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("application/json"));
            assertThat(RunningGateway.json(response)).isEqualTo(RunningGateway.json("{\"status\":\"ok\"}"));
        }
    }

    @Test
    void anUnknownPathGets404InTheOpenAiErrorShape() {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.get("/v1/nothing-here");

            var error = assertOpenAiError(response, 404, "invalid_request_error", "unknown_url");
            assertThat(error.path("message").asText()).contains("GET /v1/nothing-here")
                    .as("names what this gateway serves, so the client sees its base URL is right")
                    .contains("POST /v1/chat/completions", "POST /v1/responses", "GET /v1/models");
        }
    }

    @Test
    void theWrongMethodOnAKnownPathGets404InTheOpenAiErrorShape() {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.get("/v1/chat/completions");

            assertOpenAiError(response, 404, "invalid_request_error", "unknown_url");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void anExceptionFromTheUseCaseGets500AndTheServerKeepsServing() {
        try (var gateway = RunningGateway.open()) {
            gateway.forward.blowUp(new IllegalStateException("bug in the core with secret sk-should-not-leak"));

            var failed = gateway.send(gateway.chat(CHAT));

            var error = assertOpenAiError(failed, 500, "api_error", "internal_error");
            assertThat(failed.body()).doesNotContain("sk-should-not-leak").doesNotContain("IllegalStateException");

            gateway.forward.answer(ScriptedForwardUseCase.buffered(200, "{\"ok\":true}"));
            var next = gateway.send(gateway.chat(CHAT));
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("{\"ok\":true}");
            assertThat(gateway.get("/health").statusCode()).isEqualTo(200);
            assertThat(error.path("message").asText()).isNotBlank();
        }
    }
}
