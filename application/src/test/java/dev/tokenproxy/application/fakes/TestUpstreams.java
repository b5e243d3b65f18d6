package dev.tokenproxy.application.fakes;

import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.domain.routing.ModelMappings;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds configured upstreams for tests: {@code upstream("a").keys(2).priority(5).build()}. */
public final class TestUpstreams {

    private final String id;
    private String provider = "openai";
    private int keyCount = 1;
    private int priority = 0;
    private boolean enabled = true;
    private Set<String> models = Set.of();
    private Map<String, String> mappings = Map.of();
    private boolean allowsConversion = true;
    private CredentialSource accounts;

    private TestUpstreams(String id) {
        this.id = id;
    }

    public static TestUpstreams upstream(String id) {
        return new TestUpstreams(id);
    }

    public TestUpstreams provider(String p) {
        this.provider = p;
        return this;
    }

    /** Number of API keys; they become credentials {@code key-1} ... {@code key-n}. */
    public TestUpstreams keys(int count) {
        this.keyCount = count;
        return this;
    }

    public TestUpstreams noKeys() {
        return keys(0);
    }

    public TestUpstreams priority(int p) {
        this.priority = p;
        return this;
    }

    public TestUpstreams disabled() {
        this.enabled = false;
        return this;
    }

    public TestUpstreams models(String... names) {
        this.models = Set.of(names);
        return this;
    }

    public TestUpstreams mappings(Map<String, String> m) {
        this.mappings = m;
        return this;
    }

    /** {@code accounts: all} (no ids) or {@code accounts: [ids]}: an unpinned pool from the account store. */
    public TestUpstreams accounts(String... ids) {
        this.accounts = new CredentialSource.AccountPool(List.of(ids));
        return this;
    }

    /** {@code account: id}: pinned to one stored account. */
    public TestUpstreams pinnedTo(String accountId) {
        this.accounts = new CredentialSource.PinnedAccount(accountId);
        return this;
    }

    /** {@code allow_conversion: false}: only clients of the provider's own API. */
    public TestUpstreams noConversion() {
        this.allowsConversion = false;
        return this;
    }

    public Upstream build() {
        var secrets = new ArrayList<Secret>();
        for (int i = 1; i <= keyCount; i++) {
            secrets.add(new Secret("sk-" + id + "-" + i));
        }
        var source = accounts != null ? accounts : new CredentialSource.ApiKeys(List.copyOf(secrets));
        return new Upstream(id, provider, URI.create("http://" + id + ".invalid"), source, priority, enabled, models, new ModelMappings(mappings), false, allowsConversion);
    }
}
