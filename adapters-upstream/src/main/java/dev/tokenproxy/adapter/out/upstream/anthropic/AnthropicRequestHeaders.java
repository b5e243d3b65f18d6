package dev.tokenproxy.adapter.out.upstream.anthropic;

import dev.tokenproxy.application.port.out.AttemptRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The headers of a request to the Anthropic API (protocols §5): the upstream's key as {@code x-api-key}, the
 * client's {@code anthropic-*} headers (its API version and betas: Claude Code needs its betas honoured) and
 * {@code anthropic-version} filled in when the client named none, since the API refuses a request without it.
 */
final class AnthropicRequestHeaders {

    /** The version every current SDK sends; the API's oldest still-supported one is older. */
    static final String DEFAULT_VERSION = "2023-06-01";
    private static final String ANTHROPIC_PREFIX = "anthropic-";

    private AnthropicRequestHeaders() {
    }

    static Map<String, String> of(AttemptRequest request) {
        var headers = new LinkedHashMap<String, String>();
        request.clientHeaders().forEach((name, value) -> {
            // The inbound adapter already chose these; checked again because they go to a third party.
            if (name.toLowerCase(Locale.ROOT).startsWith(ANTHROPIC_PREFIX)) {
                headers.put(name.toLowerCase(Locale.ROOT), value);
            }
        });
        headers.putIfAbsent("anthropic-version", DEFAULT_VERSION);
        // A blank key means a keyless upstream (a local server), not a key to send.
        if (!request.credential().secret().isBlank()) {
            headers.put("x-api-key", request.credential().secret().reveal());
        }
        headers.put("content-type", "application/json");
        headers.put("accept", request.stream() ? "text/event-stream" : "application/json");
        return headers;
    }
}
