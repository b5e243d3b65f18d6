package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestHeadTest {

    @Test
    void aPostCarriesItsTargetHostFieldsAndLength() {
        var uri = URI.create("http://127.0.0.1:8080/v1/chat/completions?api-version=2024-10-21");
        var fields = new LinkedHashMap<String, String>();
        fields.put("Authorization", "Bearer sk-test");
        fields.put("Content-Type", "application/json");

        assertThat(encode("POST", uri, fields, 42)).isEqualTo("POST /v1/chat/completions?api-version=2024-10-21 HTTP/1.1\r\n"
                + "Host: 127.0.0.1:8080\r\n"
                + "Authorization: Bearer sk-test\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: 42\r\n"
                + "\r\n");
    }

    @ParameterizedTest
    @CsvSource({
            "https://api.openai.com/v1/models, GET /v1/models HTTP/1.1, api.openai.com",
            "https://example.com:8443, GET / HTTP/1.1, example.com:8443",
            "http://example.com:80/a%20b, GET /a%20b HTTP/1.1, example.com",
            "http://[::1]:9000/x, GET /x HTTP/1.1, '[::1]:9000'"})
    void aGetHasNoLengthAndNamesItsHostAsTheUriDoes(String uri, String requestLine, String host) {
        assertThat(encode("GET", URI.create(uri), Map.of(), -1))
                .isEqualTo(requestLine + "\r\nHost: " + host + "\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk-key\n", "sk-key\r\nX-Injected: yes", "a\u0000b", "\u20ac"})
    void aValueThatWouldBreakTheHeadIsRefusedWithoutBeingQuoted(String value) {
        assertThatThrownBy(() -> encode("POST", URI.create("http://h/"), Map.of("Authorization", value), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Authorization")
                .hasMessageNotContaining("sk-key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bad Name", "Bad:Name", "Bad\r\nName", "N\u00e4me"})
    void aNameThatIsNotATokenIsRefused(String name) {
        assertThatThrownBy(() -> encode("POST", URI.create("http://h/"), Map.of(name, "v"), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("\n");
    }

    @Test
    void aPathWithCharactersTheRequestLineCannotHoldIsRefused() throws Exception {
        // java.net.URI keeps "other" characters such as this one unencoded in its raw path.
        var uri = new URI("http", "h", "/caf\u00e9", null);

        assertThatThrownBy(() -> encode("GET", uri, Map.of(), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String encode(String method, URI uri, Map<String, String> fields, int length) {
        return new String(RequestHead.encode(method, uri, Endpoint.of(uri), fields, length),
                StandardCharsets.ISO_8859_1);
    }
}
