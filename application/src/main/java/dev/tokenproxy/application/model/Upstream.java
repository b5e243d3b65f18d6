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
public record Upstream(String id, String provider, URI baseUrl, CredentialSource credentialSource, int priority,
                       boolean enabled,
                       Set<String> models, ModelMappings modelMappings, boolean echoRequestedModel,
                       boolean allowsConversion) {

    public Upstream {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(credentialSource, "credentialSource");
        models = Set.copyOf(models);
        Objects.requireNonNull(modelMappings, "modelMappings");
    }

    public boolean admits(String model) {
        return models.isEmpty() || models.contains(model);
    }

    /** An upstream with API keys from configuration (the common case, and the one tests build most). */
    public static Upstream withApiKeys(String id, String provider, URI baseUrl, List<Secret> apiKeys) {
        return new Upstream(id, provider, baseUrl, new CredentialSource.ApiKeys(apiKeys), 0, true, Set.of(),
                ModelMappings.NONE, false, true);
    }

    /** The API keys of configuration; empty for an upstream that draws accounts. */
    public List<Secret> apiKeys() {
        return credentialSource instanceof CredentialSource.ApiKeys keys ? keys.keys() : List.of();
    }

    /** Each API key is its own credential, named {@code key-1}, {@code key-2}, ... in configuration order. */
    public List<Credential> apiKeyCredentials() {
        var keys = apiKeys();
        var list = new ArrayList<Credential>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            list.add(new Credential.ApiKey(new CredentialKey(id, "key-" + (i + 1)), keys.get(i)));
        }
        return list;
    }

    @Override
    public String toString() {
        return "Upstream[" + id + ", " + provider + ", " + baseUrl + "]";
    }
}
