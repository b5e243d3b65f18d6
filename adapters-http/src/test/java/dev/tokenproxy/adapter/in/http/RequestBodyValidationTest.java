package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.GatewayErrorAssertions.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Behaviour §8: an oversized body gets 413 and malformed JSON gets 400; neither reaches an upstream. */
class RequestBodyValidationTest {

    private static final int LIMIT = 1024;

    /** A valid chat body of exactly {@code size} bytes. */
    private static String chatBodyOf(int size) {
        String head = "{\"model\":\"gpt-4.1\",\"messages\":[],\"pad\":\"";
        String tail = "\"}";
        return head + "x".repeat(size - head.length() - tail.length()) + tail;
    }

    @Test
    void aBodyOverTheLimitWithContentLengthGets413AndNeverReachesTheUseCase() {
        try (var gateway = RunningGateway.withBodyLimit(LIMIT)) {
            var response = gateway.send(gateway.chat(chatBodyOf(LIMIT + 1)));

            var error = assertOpenAiError(response, 413, "invalid_request_error", "request_too_large");
            assertThat(error.path("message").asText()).contains(Integer.toString(LIMIT));
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aChunkedBodyOverTheLimitGets413AndNeverReachesTheUseCase() {
        byte[] body = chatBodyOf(4 * LIMIT).getBytes(StandardCharsets.UTF_8);
        try (var gateway = RunningGateway.withBodyLimit(LIMIT)) {
            // ofInputStream has no length, so the client sends Transfer-Encoding: chunked.
            var response = gateway.send(gateway.request("/v1/chat/completions")
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

            assertOpenAiError(response, 413, "invalid_request_error", "request_too_large");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aChunkedBodyOneByteOverTheLimitGets413() {
        byte[] body = chatBodyOf(LIMIT + 1).getBytes(StandardCharsets.UTF_8);
        try (var gateway = RunningGateway.withBodyLimit(LIMIT)) {
            var response = gateway.send(gateway.request("/v1/chat/completions")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

            assertOpenAiError(response, 413, "invalid_request_error", "request_too_large");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aBodyOfExactlyTheLimitIsForwarded() {
        String body = chatBodyOf(LIMIT);
        try (var gateway = RunningGateway.withBodyLimit(LIMIT)) {
            var declared = gateway.send(gateway.chat(body));
            var chunked = gateway.send(gateway.request("/v1/chat/completions").POST(HttpRequest.BodyPublishers
                    .ofInputStream(() -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)))));

            assertThat(declared.statusCode()).isEqualTo(200);
            assertThat(chunked.statusCode()).isEqualTo(200);
            assertThat(gateway.forward.received()).hasSize(2)
                    .allSatisfy(command -> assertThat(command.body().length()).isEqualTo(LIMIT));
        }
    }

    @Test
    void theServerKeepsServingAfterRefusingAnOversizedBody() {
        try (var gateway = RunningGateway.withBodyLimit(LIMIT)) {
            gateway.send(gateway.chat(chatBodyOf(4 * LIMIT)));

            var next = gateway.send(gateway.chat(chatBodyOf(100)));

            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(gateway.forward.received()).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`{\"model\": \"gpt-4.1\",`                    | invalid_json  |",
            "`{\"model\": \"gpt-4.1\", \"messages\": [1,]}` | invalid_json  |",
            "`{\"messages\": [{\"a\": tru}], \"model\": \"m\"}` | invalid_json  |",
            "`not json at all`                             | invalid_json  |",
            "``                                            | invalid_json  |",
            "`[{\"model\": \"gpt-4.1\"}]`                  | invalid_json  |",
            "`\"gpt-4.1\"`                                 | invalid_json  |",
            "`{\"messages\": []}`                          | missing_model | model",
            "`{\"model\": \"\"}`                           | missing_model | model",
            "`{\"model\": 4}`                              | missing_model | model",
            "`{\"model\": \"gpt-4.1\", \"stream\": \"yes\"}` | invalid_type  | stream",
            "`{\"model\": \"gpt-4.1\", \"stream\": 1}`       | invalid_type  | stream",
    })
    void anUnusableBodyGets400AndNeverReachesTheUseCase(String body, String code, String param) {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.send(gateway.chat(body));

            var error = assertOpenAiError(response, 400, "invalid_request_error", code);
            if (param != null) {
                assertThat(error.path("param").asText()).isEqualTo(param);
            }
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    /**
     * Behaviour §8: trailing data after the JSON object ({@code {"model":"x"} garbage}) is malformed JSON and gets
     * 400; it must not be forwarded as if the first value were the whole body.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`{\"model\": \"gpt-4.1\"} trailing`",
            "`{\"model\": \"gpt-4.1\"}{`",
            "`{\"model\": \"gpt-4.1\"}]`",
    })
    void trailingDataAfterTheJsonObjectIsMalformedJson(String body) {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.send(gateway.chat(body));

            assertOpenAiError(response, 400, "invalid_request_error", "invalid_json");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    /** The error says what is wrong and where, in the client's terms, without the parser's name for its input. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`{\"model\": \"gpt-4.1\"`                       | line 1, column 20",
            "`{\"model\": \"gpt-4.1\",\n \"messages\": [1,]}` | line 2, column 17",
    })
    void malformedJsonIsDescribedWithWhereItBroke(String body, String where) {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.send(gateway.chat(body));

            String message = assertOpenAiError(response, 400, "invalid_request_error", "invalid_json")
                    .path("message").asText();
            assertThat(message).startsWith("The request body is not valid JSON: ").contains(where)
                    .doesNotContain("Source").doesNotContain("REDACTED").doesNotContain("StreamReadFeature");
        }
    }

    /** The fields the gateway skips are still parsed: a body nested 10,000 deep is refused, not walked. */
    @Test
    void aBodyNestedDeeperThanTheParserAllowsGets400() {
        String body = "{\"model\": \"gpt-4.1\", \"messages\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        try (var gateway = RunningGateway.withBodyLimit(1 << 20)) {
            var response = gateway.send(gateway.chat(body));

            assertOpenAiError(response, 400, "invalid_request_error", "invalid_json");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    /**
     * The nesting limit is Jackson's default {@code StreamReadConstraints} depth of 1,000, the object around the body
     * included: 1,000 levels are forwarded, 1,001 are refused before any upstream is called.
     */
    @ParameterizedTest(name = "{0} levels: {1}")
    @CsvSource({"1000, 200", "1001, 400"})
    void jsonNestedDeeperThanOneThousandLevelsGets400(int levels, int status) {
        int arrays = levels - 1;
        String body = "{\"model\": \"gpt-4.1\", \"messages\": " + "[".repeat(arrays) + "]".repeat(arrays) + "}";
        try (var gateway = RunningGateway.withBodyLimit(1 << 20)) {
            var response = gateway.send(gateway.chat(body));

            assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
            if (status == 400) {
                var error = assertOpenAiError(response, 400, "invalid_request_error", "invalid_json");
                assertThat(error.path("message").asText()).contains("1000");
                assertThat(gateway.forward.received()).isEmpty();
            } else {
                assertThat(gateway.forward.received()).hasSize(1);
            }
        }
    }

    @Test
    void aNullStreamMeansNotStreaming() {
        try (var gateway = RunningGateway.open()) {
            gateway.send(gateway.chat("{\"model\": \"gpt-4.1\", \"stream\": null}"));

            assertThat(gateway.forward.onlyCommand().stream()).isFalse();
        }
    }
}
