package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The few fields of a chat request the gateway decides on ({@code model}, {@code stream}), read once at the edge.
 * The body itself travels on as opaque bytes.
 */
record ChatRequestFields(String model, boolean stream) {

    /** Trailing data after the object (e.g. {@code {...} junk}) is malformed too, not silently dropped. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Parses the body, or returns the 400 to answer when it is not a usable chat request. */
    static ParseResult parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return new ParseResult(null, OpenAiError.invalidRequest(400, "invalid_json",
                    "The request body is not valid JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) {
            return new ParseResult(null, OpenAiError.invalidRequest(400, "invalid_json",
                    "The request body must be a JSON object."));
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            return new ParseResult(null, OpenAiError.invalidRequest(400, "missing_model",
                    "'model' is required and must be a non-empty string.").withParam("model"));
        }
        JsonNode stream = root.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            return new ParseResult(null, OpenAiError.invalidRequest(400, "invalid_type",
                    "'stream' must be a boolean.").withParam("stream"));
        }
        return new ParseResult(new ChatRequestFields(model.asText(), stream != null && stream.asBoolean()), null);
    }

    /** Either the fields or the error to answer with. */
    record ParseResult(ChatRequestFields fields, OpenAiError error) {
    }
}
