package dev.tokenproxy.adapter.out.upstream.format.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Test documents written as JSON text and compared as parsed trees, so field order and spacing do not matter. */
final class JsonDocuments {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonDocuments() {
    }

    static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static JsonNode tree(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(String json) {
        return tree(bytes(json));
    }

    /** The converter produced a document structurally equal to the expected one. */
    static void assertConverted(Optional<byte[]> converted, String expected) {
        assertThat(converted).as("converted").isPresent();
        assertThat(tree(converted.get())).isEqualTo(tree(expected));
    }

    static JsonNode converted(Optional<byte[]> converted) {
        assertThat(converted).as("converted").isPresent();
        return tree(converted.get());
    }
}
