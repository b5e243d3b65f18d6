package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.GatewayErrorAssertions.assertOpenAiError;
import static dev.tokenproxy.adapter.in.http.RunningGateway.key;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Behaviour §8: clients present a local key as {@code Authorization: Bearer} or {@code x-api-key}. */
class LocalKeyAuthenticationTest {

    private static final String CHAT = "{\"model\":\"gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void aRequestWithoutAKeyGets401AndNeverReachesTheUseCase() {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"))) {
            var response = gateway.send(gateway.chat(CHAT));

            assertOpenAiError(response, 401, "invalid_request_error", "invalid_api_key");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aWrongBearerKeyGets401AndNeverReachesTheUseCase() {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"))) {
            var response = gateway.send(gateway.chat(CHAT).header("authorization", "Bearer k-laptoq"));

            assertOpenAiError(response, 401, "invalid_request_error", "invalid_api_key");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aWrongXApiKeyGets401AndNeverReachesTheUseCase() {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"))) {
            var response = gateway.send(gateway.chat(CHAT).header("x-api-key", "nope"));

            assertOpenAiError(response, 401, "invalid_request_error", "invalid_api_key");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aKeyInAnotherAuthorizationSchemeIsNotAccepted() {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"))) {
            var response = gateway.send(gateway.chat(CHAT).header("authorization", "Basic k-laptop"));

            assertOpenAiError(response, 401, "invalid_request_error", "invalid_api_key");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aBearerKeyIsAccepted() {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"))) {
            var response = gateway.send(gateway.chat(CHAT).header("authorization", "Bearer k-laptop"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(gateway.forward.received()).hasSize(1);
        }
    }

    @Test
    void anXApiKeyIsAccepted() {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"))) {
            var response = gateway.send(gateway.chat(CHAT).header("x-api-key", "k-laptop"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(gateway.forward.received()).hasSize(1);
        }
    }

    @Test
    void withNoKeysConfiguredEveryClientIsAdmittedToEveryUpstream() {
        try (var gateway = RunningGateway.open()) {
            var anonymous = gateway.send(gateway.chat(CHAT));
            var withSomeKey = gateway.send(gateway.chat(CHAT).header("authorization", "Bearer whatever"));

            assertThat(anonymous.statusCode()).isEqualTo(200);
            assertThat(withSomeKey.statusCode()).isEqualTo(200);
            assertThat(gateway.forward.received()).hasSize(2)
                    .allSatisfy(command -> assertThat(command.allowedUpstreams()).containsExactly("*"));
        }
    }

    @Test
    void theScopeOfTheKeyReachesTheCommand() {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"),
                key("ci", "k-ci", "openai-main", "openai-backup"))) {
            gateway.send(gateway.chat(CHAT).header("authorization", "Bearer k-ci"));

            var command = gateway.forward.onlyCommand();
            assertThat(command.allowedUpstreams()).containsExactlyInAnyOrder("openai-main", "openai-backup");
            assertThat(command.mayUse("openai-main")).isTrue();
            assertThat(command.mayUse("openai-other")).isFalse();
        }
    }

    @Test
    void theMatchingKeyDecidesTheScopeWhateverItsPositionInTheList() {
        try (var gateway = RunningGateway.withKeys(key("ci", "k-ci", "openai-main"), key("laptop", "k-laptop"))) {
            gateway.send(gateway.chat(CHAT).header("x-api-key", "k-laptop"));

            assertThat(gateway.forward.onlyCommand().allowedUpstreams()).containsExactly("*");
        }
    }

    @Test
    void theCommandCarriesTheClientBodyVerbatimAndNoHeaders() {
        // The command has no header field at all: the local key cannot travel upstream through it. What it
        // carries is the client's body, byte for byte, plus the two fields the gateway decides on.
        String body = "{ \"model\" : \"gpt-4o-mini\",\n  \"stream\": true, \"messages\": [] , \"x\": 1.50 }";
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"))) {
            gateway.send(gateway.chat(body).header("authorization", "Bearer k-laptop"));

            var command = gateway.forward.onlyCommand();
            assertThat(new String(command.body().bytes(), StandardCharsets.UTF_8)).isEqualTo(body);
            assertThat(command.model()).isEqualTo("gpt-4o-mini");
            assertThat(command.stream()).isTrue();
            assertThat(new String(command.body().bytes(), StandardCharsets.UTF_8)).doesNotContain("k-laptop");
        }
    }

    @Test
    void listingModelsNeedsAKeyWhenKeysAreConfigured() {
        try (var gateway = RunningGateway.withModels(() -> List.of("gpt-4.1"), key("laptop", "k-laptop"))) {
            assertOpenAiError(gateway.get("/v1/models"), 401, "invalid_request_error", "invalid_api_key");

            var allowed = gateway.send(gateway.request("/v1/models").header("x-api-key", "k-laptop").GET());
            assertThat(allowed.statusCode()).isEqualTo(200);
        }
    }
}
