package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The few fields of a request the gateway decides on ({@code model}, {@code stream}), read once at the edge.
 * The body itself travels on as opaque bytes.
 */
record RequestFields(String model, boolean stream) {

    /**
     * Trailing data after the object (e.g. {@code {...} junk}) is malformed too, not silently dropped. A key written
     * twice, at any depth, is refused: we would route on one {@code model} while the upstream, with its own parser,
     * may act on the other.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Parses the body, or returns the 400 to answer when it is not a usable request. */
    static ParseResult parse(byte[] body) {
        // Checked before Jackson sees the bytes: it would auto-detect UTF-16/32 and skip a BOM.
        if (!Utf8Json.isPlainUtf8(body)) {
            return new ParseResult(null, GatewayError.invalidRequest(400, "invalid_encoding",
                    "The request body must be JSON encoded as UTF-8, without a byte-order mark."));
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // Jackson reports STRICT_DUPLICATE_DETECTION as a plain parse error; only its text tells it apart.
            if (e.getOriginalMessage().startsWith("Duplicate field")) {
                return new ParseResult(null, GatewayError.invalidRequest(400, "duplicate_key",
                        "The request body has a key twice in one object: " + e.getOriginalMessage()));
            }
            return new ParseResult(null, GatewayError.invalidRequest(400, "invalid_json",
                    "The request body is not valid JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) {
            return new ParseResult(null, GatewayError.invalidRequest(400, "invalid_json",
                    "The request body must be a JSON object."));
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            return new ParseResult(null, GatewayError.invalidRequest(400, "missing_model",
                    "'model' is required and must be a non-empty string.").withParam("model"));
        }
        JsonNode stream = root.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            return new ParseResult(null, GatewayError.invalidRequest(400, "invalid_type",
                    "'stream' must be a boolean.").withParam("stream"));
        }
        return new ParseResult(new RequestFields(model.asText(), stream != null && stream.asBoolean()), null);
    }

    /** Either the fields or the error to answer with. */
    record ParseResult(RequestFields fields, GatewayError error) {
    }
}
