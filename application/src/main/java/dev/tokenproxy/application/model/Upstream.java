package dev.tokenproxy.application.model;

import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.routing.ModelMappings;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One configured upstream (behaviour §1), validated when configuration is loaded.
 *
 * @param models             allow-list of requested model names; empty admits every model
 * @param echoRequestedModel return the client's model name instead of the one that served the request
 * @param allowsConversion   may serve clients of another API than its provider's own, by converting (e.g. a
 *                           Responses client from a Chat Completions upstream)
 */
public record Upstream(String id, String provider, URI baseUrl, List<Secret> apiKeys, int priority, boolean enabled,
                       Set<String> models, ModelMappings modelMappings, boolean echoRequestedModel,
                       boolean allowsConversion) {

    public Upstream {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(baseUrl, "baseUrl");
        apiKeys = List.copyOf(apiKeys);
        models = Set.copyOf(models);
        Objects.requireNonNull(modelMappings, "modelMappings");
    }

    public boolean admits(String model) {
        return models.isEmpty() || models.contains(model);
    }

    /** Each API key is its own credential, named {@code key-1}, {@code key-2}, ... in configuration order. */
    public List<Credential> credentials() {
        var list = new ArrayList<Credential>(apiKeys.size());
        for (int i = 0; i < apiKeys.size(); i++) {
            list.add(new Credential(new CredentialKey(id, "key-" + (i + 1)), apiKeys.get(i)));
        }
        return list;
    }

    @Override
    public String toString() {
        return "Upstream[" + id + ", " + provider + ", " + baseUrl + "]";
    }
}
