package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import dev.tokenproxy.application.model.BodyBytes;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * The few fields of a request the gateway decides on ({@code model}, {@code stream}), read once at the edge.
 * The body itself travels on as opaque bytes.
 */
record RequestFields(String model, boolean stream) {

    /**
     * A key written twice, at any depth, is refused: we would route on one {@code model} while the upstream, with its
     * own parser, may act on the other.
     */
    private static final Pattern SOURCE_NAME = Pattern.compile("\\[Source: [^;\\]]*; ");
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Shared by all threads, not one set of buffers per request's virtual thread (Jackson's default).
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
            .build();

    /**
     * Parses the body, or returns the 400 to answer when it is not a usable request. The body is read as a token
     * stream, not a tree: only two top-level fields matter, the rest (the prompt, often hundreds of KB) is checked
     * for well-formedness and duplicate keys and skipped.
     */
    static ParseResult parse(BodyBytes body) {
        // Checked before Jackson sees the bytes: it would auto-detect UTF-16/32 and skip a BOM.
        if (!Utf8Json.isPlainUtf8(body.array(), body.length())) {
            return new ParseResult(null, GatewayError.invalidRequest(400, "invalid_encoding",
                    "The request body must be JSON encoded as UTF-8, without a byte-order mark."));
        }
        JsonToken model = null;
        String modelText = null;
        JsonToken stream = null;
        try (JsonParser parser = JSON.createParser(body.array(), 0, body.length())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new ParseResult(null, GatewayError.invalidRequest(400, "invalid_json",
                        "The request body must be a JSON object."));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("model")) {
                    model = value;
                    modelText = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                } else if (name.equals("stream")) {
                    stream = value;
                }
                parser.skipChildren();
            }
            // Trailing data after the object (e.g. {...} junk) is malformed too, not silently dropped.
            if (parser.nextToken() != null) {
                return new ParseResult(null, GatewayError.invalidRequest(400, "invalid_json",
                        "The request body is not valid JSON: data after the end of the object."));
            }
        } catch (JsonProcessingException e) {
            // Jackson reports STRICT_DUPLICATE_DETECTION as a plain parse error; only its text tells it apart.
            if (e.getOriginalMessage().startsWith("Duplicate field")) {
                return new ParseResult(null, GatewayError.invalidRequest(400, "duplicate_key",
                        "The request body has a key twice in one object: " + e.getOriginalMessage()));
            }
            return new ParseResult(null, GatewayError.invalidRequest(400, "invalid_json",
                    "The request body is not valid JSON: " + problem(e)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (model != JsonToken.VALUE_STRING || modelText.isBlank()) {
            return new ParseResult(null, GatewayError.invalidRequest(400, "missing_model",
                    "'model' is required and must be a non-empty string.").withParam("model"));
        }
        if (stream != null && stream != JsonToken.VALUE_NULL && !stream.isBoolean()) {
            return new ParseResult(null, GatewayError.invalidRequest(400, "invalid_type",
                    "'stream' must be a boolean.").withParam("stream"));
        }
        return new ParseResult(new RequestFields(modelText, stream == JsonToken.VALUE_TRUE), null);
    }

    /** Either the fields or the error to answer with. */
    record ParseResult(RequestFields fields, GatewayError error) {
    }

    /**
     * Jackson's text for the problem, where it is: some of its messages name their input as "[Source: REDACTED
     * (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1]", which tells a client nothing;
     * the input here is always the request body, so only the line and column stay.
     */
    static String problem(JsonProcessingException e) {
        String text = SOURCE_NAME.matcher(e.getOriginalMessage()).replaceAll("[");
        var where = e.getLocation();
        return where == null || where.getLineNr() < 1 ? text
                : text + " (at line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
    }
}
