package dev.tokenproxy.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Locale;
import java.util.Map;

/**
 * One request as a fake upstream received it. {@code model} and {@code stream} are read from the body's top-level
 * fields, which the Chat Completions and Responses formats share.
 *
 * @param headers    header names in lower case; a repeated header's values joined with ", "
 * @param body       the decoded body (chunked transfer coding removed), UTF-8
 * @param model      the body's {@code model}, or null when absent or the body is not JSON
 * @param stream     the body's {@code stream} flag
 * @param bearerKey  the {@code Authorization: Bearer} credential, or null when there is none
 */
public record RecordedRequest(String method, String path, Map<String, String> headers, String body,
                              String model, boolean stream, String bearerKey) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BEARER = "bearer ";

    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    /** Parses what a decision or an assertion needs from the raw request, once. */
    static RecordedRequest of(String method, String path, Map<String, String> headers, String body) {
        JsonNode json = parse(body);
        JsonNode model = json.path("model");
        return new RecordedRequest(method, path, headers, body, model.isTextual() ? model.asText() : null,
                json.path("stream").asBoolean(false), bearerKey(headers.get("authorization")));
    }

    /** The value of header {@code name} (any case), or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The path without its query string. */
    public String pathWithoutQuery() {
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /**
     * The body as a JSON tree, for assertions on what was sent ({@code json().path("instructions")}); a
     * {@link MissingNode} when the body is not a JSON object, so that {@code path(...)} chains never fail.
     */
    public JsonNode json() {
        return parse(body);
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            return json != null && json.isObject() ? json : MissingNode.getInstance();
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    private static String bearerKey(String authorization) {
        // The auth scheme is case-insensitive (RFC 9110 §11.1).
        if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            return null;
        }
        return authorization.substring(BEARER.length()).trim();
    }
}
