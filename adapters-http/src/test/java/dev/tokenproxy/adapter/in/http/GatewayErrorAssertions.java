package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

/** Checks the OpenAI error shape {@code {"error":{message,type,param,code}}} every gateway error must have. */
final class GatewayErrorAssertions {

    private GatewayErrorAssertions() {
    }

    /** Asserts status, content type and shape, and returns the {@code error} object for further checks. */
    static JsonNode assertOpenAiError(HttpResponse<String> response, int status, String type, String code) {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        JsonNode error = RunningGateway.json(response).path("error");
        assertThat(error.isObject()).as("an 'error' object in %s", response.body()).isTrue();
        assertThat(error.path("type").asText()).isEqualTo(type);
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.has("param")).as("'param' is always present, possibly null").isTrue();
        return error;
    }
}
