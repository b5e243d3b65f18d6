package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.GatewayErrorAssertions.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.model.UpstreamReply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Behaviour §4.5: the use case's sealed result maps onto status, headers and body in one place. */
class ForwardResultMappingTest {

    private static final String CHAT = "{\"model\":\"gpt-4.1\",\"messages\":[]}";

    @Test
    void aBufferedReplyIsDeliveredWithItsStatusHeadersAndBodyVerbatim() {
        // Odd spacing and key order: proof that the body is passed through, not re-serialised.
        String body = "{\"id\":\"chatcmpl-9\",  \"model\" : \"gpt-4.1-2025\",\"choices\":[]}";
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Delivered(new UpstreamReply.Buffered(200,
                    Map.of("content-type", "application/json; charset=utf-8", "x-upstream-request-id", "req_123",
                            "openai-processing-ms", "42"),
                    body.getBytes(StandardCharsets.UTF_8))));

            var response = gateway.send(gateway.chat(CHAT));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(body);
            assertThat(response.headers().firstValue("content-type")).contains("application/json; charset=utf-8");
            assertThat(response.headers().firstValue("x-upstream-request-id")).contains("req_123");
            assertThat(response.headers().firstValue("openai-processing-ms")).contains("42");
        }
    }

    @Test
    void aNonSuccessUpstreamReplyIsDeliveredVerbatimToo() {
        String body = "{\"error\":{\"message\":\"bad param\",\"type\":\"invalid_request_error\",\"code\":null}}";
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Delivered(new UpstreamReply.Buffered(400,
                    Map.of("content-type", "application/json"), body.getBytes(StandardCharsets.UTF_8))));

            var response = gateway.send(gateway.chat(CHAT));

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).isEqualTo(body);
        }
    }

    @Test
    void nonAsciiBodyBytesArriveUnchanged() {
        byte[] body = "{\"content\":\"žluťoučký kůň 🐎\"}".getBytes(StandardCharsets.UTF_8);
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Delivered(new UpstreamReply.Buffered(200,
                    Map.of("content-type", "application/json"), body)));

            var response = gateway.send(gateway.chat(CHAT));

            assertThat(response.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(body);
        }
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
            "NO_UPSTREAM,              502, api_error,             no_upstream",
            "MODEL_NOT_SUPPORTED,      404, invalid_request_error, model_not_supported",
            "NO_CONFIGURED_CREDENTIAL, 502, api_error,             no_configured_credential",
            "ALL_COOLING,              503, api_error,             upstreams_cooling_down",
            "UPSTREAM_CREDENTIAL_REJECTED, 502, api_error,         upstream_credential_rejected",
            "TIMEOUT,                  504, api_error,             upstream_timeout",
            "UPSTREAM_UNAVAILABLE,     502, api_error,             upstream_unavailable",
    })
    void aGatewayFailureBecomesAnOpenAiErrorWithItsStatusAndCode(GatewayFailure failure, int status, String type,
                                                                  String code) {
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(ScriptedForwardUseCase.failed(failure, "explanation for " + failure));

            var response = gateway.send(gateway.chat(CHAT));

            var error = assertOpenAiError(response, status, type, code);
            assertThat(error.path("message").asText()).isEqualTo("explanation for " + failure);
            assertThat(response.headers().firstValue("retry-after")).isEmpty();
        }
    }

    @Test
    void everyGatewayFailureIsCoveredByTheMappingTable() {
        // Guards the table above: a new enum constant must get a row (and a status) of its own.
        assertThat(EnumSet.allOf(GatewayFailure.class)).hasSize(7);
    }

    @ParameterizedTest(name = "{0} -> x-should-retry: {1}")
    @CsvSource({
            "NO_UPSTREAM,                  false",
            "MODEL_NOT_SUPPORTED,          false",
            "NO_CONFIGURED_CREDENTIAL,     false",
            "UPSTREAM_CREDENTIAL_REJECTED, false",
            "TIMEOUT,                      true",
            "UPSTREAM_UNAVAILABLE,         true",
    })
    void everyGatewayFailureTellsTheSdkWhetherARetryCanHelp(GatewayFailure failure, boolean retry) {
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(ScriptedForwardUseCase.failed(failure, "explanation"));

            var response = gateway.send(gateway.chat(CHAT));

            assertThat(response.headers().firstValue("x-should-retry")).contains(Boolean.toString(retry));
        }
    }

    @Test
    void aCoolingWaitLongerThanTheClientRetryMaximumTellsTheSdkNotToRetryButStillSaysTheHonestWait() {
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Failed(GatewayFailure.ALL_COOLING, "cooling",
                    Optional.of(Duration.ofSeconds(300))));
            var longWait = gateway.send(gateway.chat(CHAT));
            gateway.forward.answer(new ForwardResult.Failed(GatewayFailure.ALL_COOLING, "cooling",
                    Optional.of(Duration.ofSeconds(20))));
            var shortWait = gateway.send(gateway.chat(CHAT));

            assertThat(longWait.headers().firstValue("x-should-retry")).contains("false");
            assertThat(longWait.headers().firstValue("retry-after")).contains("300");
            assertThat(shortWait.headers().firstValue("x-should-retry")).contains("true");
        }
    }

    @Test
    void aRefusedRequestTellsTheSdkNotToRetry() {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.send(gateway.chat("{\"model\": \"gpt"));

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.headers().firstValue("x-should-retry")).contains("false");
        }
    }

    @Test
    void modelNotSupportedNamesTheModelParameter() {
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(ScriptedForwardUseCase.failed(GatewayFailure.MODEL_NOT_SUPPORTED, "no"));

            var error = RunningGateway.json(gateway.send(gateway.chat(CHAT))).path("error");

            assertThat(error.path("param").asText()).isEqualTo("model");
        }
    }

    @Test
    void allCoolingCarriesRetryAfterInSeconds() {
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(new ForwardResult.Failed(GatewayFailure.ALL_COOLING, "cooling",
                    Optional.of(Duration.ofSeconds(17))));

            var response = gateway.send(gateway.chat(CHAT));

            assertOpenAiError(response, 503, "api_error", "upstreams_cooling_down");
            assertThat(response.headers().firstValue("retry-after")).contains("17");
        }
    }
}
