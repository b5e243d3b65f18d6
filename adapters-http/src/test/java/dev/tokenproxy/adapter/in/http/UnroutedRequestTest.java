package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests Helidon refuses before routing still get the OpenAI error shape. HTTP/1.0 (nginx's default towards an
 * upstream, HAProxy's default health check) is refused with a 505 that says what to configure; see ADR 0005.
 */
class UnroutedRequestTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /health HTTP/1.0\r\n\r\n",
            "GET /health HTTP/1.0\r\nHost: gateway\r\nConnection: keep-alive\r\n\r\n",
            "POST /v1/chat/completions HTTP/1.0\r\nHost: gateway\r\nContent-Length: 15\r\n\r\n{\"model\":\"x\"}\r\n",
    })
    void anHttp10RequestGets505SayingHowToConfigureTheProxy(String request) {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            var response = client.send(request).readResponse();

            JsonNode error = assertOpenAiErrorShape(response, 505, "http_version_not_supported");
            assertThat(error.path("message").asText())
                    .contains("HTTP/1.1 required")
                    .contains("proxy_http_version 1.1")
                    .contains("ver HTTP/1.1");
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.closedByServer()).isTrue();
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /health HTTP/1.1\r\nHost: gateway\r\nBad Header: y\r\n\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Length: 5\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: gateway:port\r\n\r\n",
    })
    void aRequestWithBrokenHeadersGets400InTheOpenAiErrorShape(String request) {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            var response = client.send(request).readResponse();

            assertOpenAiErrorShape(response, 400, "bad_request");
            assertThat(response.header("x-should-retry")).as("the same bytes would be refused again").isEqualTo("false");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aRequestLineThatIsTooLongGets414InTheOpenAiErrorShape() {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            // Helidon's default max-prologue-length is 4096 bytes.
            var response = client.send("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: gateway\r\n\r\n")
                    .readResponse();

            assertOpenAiErrorShape(response, 414, "uri_too_long");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    /**
     * Helidon's default max-headers-size is 16 KiB for the whole header section; past it the request is refused as
     * malformed (400, not 431) before routing, so it is never authenticated or forwarded.
     */
    @Test
    void aHeaderSectionOverSixteenKibGets400InTheOpenAiErrorShape() {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            var response = client.send("GET /health HTTP/1.1\r\nHost: gateway\r\nX-Pad: " + "a".repeat(17 * 1024)
                    + "\r\n\r\n").readResponse();

            assertOpenAiErrorShape(response, 400, "bad_request");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void manySmallHeadersOverSixteenKibTogetherGet400() {
        var headers = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            headers.append("X-Pad-").append(i).append(": ").append("a".repeat(100)).append("\r\n");
        }
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            var response = client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n" + headers
                    + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}").readResponse();

            assertOpenAiErrorShape(response, 400, "bad_request");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aHeaderSectionJustUnderSixteenKibIsServed() {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            var response = client.send("GET /health HTTP/1.1\r\nHost: gateway\r\nX-Pad: " + "a".repeat(15 * 1024)
                    + "\r\n\r\n").readResponse();

            assertThat(response.status()).isEqualTo(200);
        }
    }

    private static JsonNode assertOpenAiErrorShape(RawConnection.Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("content-type")).startsWith("application/json");
        JsonNode error = RunningGateway.json(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.has("param")).isTrue();
        return error;
    }
}
