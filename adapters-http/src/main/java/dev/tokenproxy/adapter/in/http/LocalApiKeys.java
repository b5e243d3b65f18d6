package dev.tokenproxy.adapter.in.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates clients by local API key, from {@code Authorization: Bearer} or {@code x-api-key}. With no keys
 * configured every client is admitted to every upstream (configuration allows that only on a loopback host).
 */
public final class LocalApiKeys {

    static final HeaderName X_API_KEY = HeaderNames.create("x-api-key");
    private static final String BEARER = "bearer ";
    private static final LocalApiKey ANONYMOUS = new LocalApiKey("anonymous",
            new dev.tokenproxy.application.model.Secret(""), Set.of("*"));

    private final List<LocalApiKey> keys;

    public LocalApiKeys(List<LocalApiKey> keys) {
        this.keys = List.copyOf(keys);
    }

    /** The key the request presents, or empty when it presents none or a wrong one. */
    Optional<LocalApiKey> authenticate(Headers headers) {
        if (keys.isEmpty()) {
            return Optional.of(ANONYMOUS);
        }
        String presented = presentedKey(headers);
        if (presented == null) {
            return Optional.empty();
        }
        // Every key is compared (in constant time each) so the timing does not tell which one was close.
        LocalApiKey match = null;
        for (var k : keys) {
            if (k.key().matches(presented) && match == null) {
                match = k;
            }
        }
        return Optional.ofNullable(match);
    }

    /** No keys are configured: every client is admitted (configuration allows that only on a loopback host). */
    boolean open() {
        return keys.isEmpty();
    }

    /** The answer to a request without a valid local key. */
    static GatewayError unauthorized() {
        return GatewayError.invalidRequest(401, "invalid_api_key",
                "Missing or invalid API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key'.");
    }

    private static String presentedKey(Headers headers) {
        var auth = headers.first(HeaderNames.AUTHORIZATION);
        if (auth.isPresent() && auth.get().regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return auth.get().substring(BEARER.length()).trim();
        }
        return headers.first(X_API_KEY).map(String::trim).orElse(null);
    }
}
