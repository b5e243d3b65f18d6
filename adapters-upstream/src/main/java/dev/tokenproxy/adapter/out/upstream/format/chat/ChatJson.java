package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads and writes the Chat Completions JSON documents this adapter has to look into, and holds the adapter's one
 * {@code ObjectMapper}.
 */
public final class ChatJson {

    /**
     * For reading and writing token by token, which is all a plain Chat request and its answer need (the body's model,
     * the answer's check, its usage). No {@code ObjectMapper} behind it, so a gateway that never needs a tree never
     * makes one: an {@code ObjectMapper} loads and sets up some 300 classes, ~0.1 s of a start (benchmark.md,
     * thirteenth pass). Parsers from here cannot read a value as a tree.
     */
    public static final JsonFactory TOKENS = sharedBuffers();

    private ChatJson() {
    }

    /** For trees; made at its first use. */
    public static ObjectMapper mapper() {
        return Trees.MAPPER;
    }

    /**
     * Jackson's buffers (8–16 KiB per parser or generator) are recycled per thread by default; requests and streams run
     * on virtual threads, so each would allocate its own and keep them for its life. A pool shared by all threads
     * hands them from one request to the next.
     */
    private static JsonFactory sharedBuffers() {
        return JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build();
    }

    private static final class Trees {
        static final ObjectMapper MAPPER = new ObjectMapper(sharedBuffers());
    }

    /** The document as an object, or empty when it is not a JSON object. */
    public static Optional<ObjectNode> object(byte[] json) {
        try {
            return mapper().readTree(json) instanceof ObjectNode node ? Optional.of(node) : Optional.empty();
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }

    public static Optional<ObjectNode> object(String json) {
        try {
            return mapper().readTree(json) instanceof ObjectNode node ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException notJson) {
            return Optional.empty();
        }
    }

    /**
     * The tree as JSON. Every converted request goes through here with its whole prompt, so long strings are written
     * through Jackson's {@code char[]} path: its {@code String} path reads a text a character at a time and took
     * ~1.6 ms for a 256 KB prompt, the other ~0.7 ms with the copy to an array included. Same bytes either way.
     */
    public static byte[] bytes(JsonNode node) {
        var out = new ByteArrayBuilder();
        try (JsonGenerator generator = new LongStringsAsChars(mapper().createGenerator(out))) {
            mapper().writeTree(generator, node);
        } catch (IOException e) {
            throw new IllegalStateException("a parsed JSON tree must serialise", e);
        }
        return out.toByteArray();
    }

    /** Hands strings longer than {@value #LONG_STRING} characters to the generator as arrays. */
    private static final class LongStringsAsChars extends JsonGeneratorDelegate {
        private static final int LONG_STRING = 256;

        LongStringsAsChars(JsonGenerator generator) {
            super(generator, false);
        }

        @Override
        public void writeString(String text) throws IOException {
            if (text != null && text.length() > LONG_STRING) {
                char[] chars = text.toCharArray();
                delegate.writeString(chars, 0, chars.length);
            } else {
                delegate.writeString(text);
            }
        }
    }

    public static String text(JsonNode node) {
        return new String(bytes(node), StandardCharsets.UTF_8);
    }

    /** A scalar field as text (codes come as strings or numbers), or null when absent or null. */
    public static String scalar(JsonNode parent, String field) {
        JsonNode value = parent == null ? null : parent.get(field);
        return value == null || value.isNull() || !value.isValueNode() ? null : value.asText();
    }

    /** Whether the field holds something: a non-empty string, a non-empty array or object, or any other value. */
    public static boolean present(JsonNode parent, String field) {
        JsonNode value = parent == null ? null : parent.get(field);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return false;
        }
        if (value.isTextual()) {
            return !value.textValue().isEmpty();
        }
        if (value.isContainerNode()) {
            return !value.isEmpty();
        }
        return true;
    }
}
