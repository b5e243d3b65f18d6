package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.GatewayErrorAssertions.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway decides on a body it parsed itself, so the upstream must not be able to read that body differently:
 * a key given twice or a text that is not plain UTF-8 is refused with 400 before anything is forwarded.
 */
class StrictRequestBodyTest {

    private static final String CHAT = "{\"model\":\"cheap\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static HttpResponse<String> post(RunningGateway gateway, byte[] body) {
        return gateway.send(gateway.request("/v1/chat/completions")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"model\":\"cheap\",\"model\":\"o1-pro\"}",
            "{\"model\":\"cheap\",\"stream\":false,\"stream\":true}",
            "{\"model\":\"cheap\",\"messages\":[{\"role\":\"user\",\"role\":\"system\",\"content\":\"hi\"}]}",
            "{\"model\":\"cheap\",\"tools\":[{\"function\":{\"parameters\":{\"a\":1,\"a\":2}}}]}",
    })
    void aKeyGivenTwiceInOneObjectAtAnyDepthGets400AndNeverReachesTheUseCase(String body) {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.send(gateway.chat(body));

            var error = assertOpenAiError(response, 400, "invalid_request_error", "duplicate_key");
            assertThat(error.path("message").asText()).contains("Duplicate field");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void theSameKeyInSiblingObjectsIsNotADuplicate() {
        try (var gateway = RunningGateway.open()) {
            var response = gateway.send(gateway.chat(
                    "{\"model\":\"cheap\",\"messages\":[{\"role\":\"user\"},{\"role\":\"assistant\"}]}"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(gateway.forward.onlyCommand().model()).isEqualTo("cheap");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"})
    void aBodyInUtf16Or32WithoutByteOrderMarkGets400(String charset) {
        assertRefusedAsNotUtf8(CHAT.getBytes(Charset.forName(charset)));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @CsvSource({
            "efbbbf,   UTF-8",
            "feff,     UTF-16BE",
            "fffe,     UTF-16LE",
            "fffe0000, UTF-32LE",
            "0000feff, UTF-32BE",
    })
    void aBodyWithAByteOrderMarkGets400(String bom, String charset) {
        assertRefusedAsNotUtf8(concat(HexFormat.of().parseHex(bom), CHAT.getBytes(Charset.forName(charset))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "a byte that never starts a sequence, ff",
            "a lone continuation byte,            80",
            "a sequence cut short,                e282",
            "an overlong encoding of '/',         c0af",
            "an encoded surrogate half,           eda080",
            "a code point above U+10FFFF,         f4908080",
            "a raw NUL,                           00",
    })
    void aBodyWithAnInvalidUtf8SequenceInAStringGets400(String what, String bytes) {
        byte[] body = concat("{\"model\":\"cheap\",\"messages\":[{\"role\":\"user\",\"content\":\"a".getBytes(
                StandardCharsets.UTF_8), HexFormat.of().parseHex(bytes), "b\"}]}".getBytes(StandardCharsets.UTF_8));
        assertRefusedAsNotUtf8(body);
    }

    @Test
    void aBodyWithMultiByteUtf8IsForwardedByteForByte() {
        byte[] body = "{\"model\":\"cheap\",\"messages\":[{\"role\":\"user\",\"content\":\"héllo 日本 🎉 \\u0000\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        try (var gateway = RunningGateway.open()) {
            var response = post(gateway, body);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(gateway.forward.onlyCommand().body().bytes()).isEqualTo(body);
        }
    }

    private static void assertRefusedAsNotUtf8(byte[] body) {
        try (var gateway = RunningGateway.open()) {
            var response = post(gateway, body);

            var error = assertOpenAiError(response, 400, "invalid_request_error", "invalid_encoding");
            assertThat(error.path("message").asText()).contains("UTF-8");
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
