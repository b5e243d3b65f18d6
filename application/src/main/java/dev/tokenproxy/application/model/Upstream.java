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
 * @param providerOptions    what only the upstream's provider reads; {@link ProviderOptions#NONE} for most
 */
public record Upstream(String id, String provider, URI baseUrl, CredentialSource credentialSource, int priority,
                       boolean enabled,
                       Set<String> models, ModelMappings modelMappings, boolean echoRequestedModel,
                       boolean allowsConversion, ProviderOptions providerOptions) {

    /** The label of the one credential of an upstream that needs none, in cooldowns and logs. */
    public static final String KEYLESS = "keyless";

    public Upstream {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(credentialSource, "credentialSource");
        models = Set.copyOf(models);
        Objects.requireNonNull(modelMappings, "modelMappings");
        Objects.requireNonNull(providerOptions, "providerOptions");
    }

    /** An upstream whose provider has no options of its own. */
    public Upstream(String id, String provider, URI baseUrl, CredentialSource credentialSource, int priority,
                    boolean enabled, Set<String> models, ModelMappings modelMappings, boolean echoRequestedModel,
                    boolean allowsConversion) {
        this(id, provider, baseUrl, credentialSource, priority, enabled, models, modelMappings, echoRequestedModel,
                allowsConversion, ProviderOptions.NONE);
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

    /**
     * The one credential of an upstream whose provider needs none ({@link CredentialSource.None}): a blank secret,
     * which adapters read as "send no key", under a label that cooldowns and logs can name.
     */
    public Credential keylessCredential() {
        return new Credential.ApiKey(new CredentialKey(id, KEYLESS), new Secret(""));
    }

    @Override
    public String toString() {
        return "Upstream[" + id + ", " + provider + ", " + baseUrl + "]";
    }
}
