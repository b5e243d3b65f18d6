package dev.tokenproxy.testing;

import java.util.Locale;
import java.util.Map;

/**
 * One request as a fake upstream received it.
 *
 * @param headers    header names in lower case; a repeated header's values joined with ", "
 * @param body       the decoded body (chunked transfer coding removed), UTF-8
 * @param model      the body's {@code model}, or null when absent or the body is not JSON
 * @param stream     the body's {@code stream} flag
 * @param bearerKey  the {@code Authorization: Bearer} credential, or null when there is none
 */
public record RecordedRequest(String method, String path, Map<String, String> headers, String body,
                              String model, boolean stream, String bearerKey) {

    private static final String BEARER = "bearer ";

    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    /** Parses what a decision or an assertion needs from the raw request, once. */
    static RecordedRequest of(String method, String path, Map<String, String> headers, String body) {
        ChatFrames.RequestFields fields = ChatFrames.RequestFields.parse(body);
        return new RecordedRequest(method, path, headers, body, fields.model(), fields.stream(),
                bearerKey(headers.get("authorization")));
    }

    /** The value of header {@code name} (any case), or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    private static String bearerKey(String authorization) {
        // The auth scheme is case-insensitive (RFC 9110 §11.1).
        if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            return null;
        }
        return authorization.substring(BEARER.length()).trim();
    }
}
