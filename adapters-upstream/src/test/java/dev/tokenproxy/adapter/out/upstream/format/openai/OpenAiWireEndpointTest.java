package dev.tokenproxy.adapter.out.upstream.format.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class OpenAiWireEndpointTest {

    @Test
    void joinsTheBaseAndThePathWithOneSlash() {
        assertThat(OpenAiWire.endpoint(URI.create("http://127.0.0.1:8080/v1"), "chat/completions"))
                .hasToString("http://127.0.0.1:8080/v1/chat/completions");
        assertThat(OpenAiWire.endpoint(URI.create("http://127.0.0.1:8080/v1/"), "chat/completions"))
                .hasToString("http://127.0.0.1:8080/v1/chat/completions");
    }

    @Test
    void anEndpointIsMadeOnceForEachBaseAndPath() {
        URI first = OpenAiWire.endpoint(URI.create("https://api.example.test/v1"), "responses");

        assertThat(OpenAiWire.endpoint(URI.create("https://api.example.test/v1"), "responses")).isSameAs(first);
        assertThat(OpenAiWire.endpoint(URI.create("https://api.example.test/v1"), "models")).isNotSameAs(first)
                .hasToString("https://api.example.test/v1/models");
    }
}
