package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.model.Secret;
import java.util.Objects;
import java.util.Set;

/**
 * A key a client presents to the gateway (behaviour §8). Never forwarded upstream.
 *
 * @param upstreams upstream ids this key may use; {@code *} admits all
 */
public record LocalApiKey(String name, Secret key, Set<String> upstreams) {
    public LocalApiKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        upstreams = Set.copyOf(upstreams);
    }
}
