package dev.tokenproxy.bootstrap.provider;

import dev.tokenproxy.adapter.out.upstream.anthropic.AnthropicAdapter;
import dev.tokenproxy.adapter.out.upstream.codex.CodexAdapter;
import dev.tokenproxy.adapter.out.upstream.kiro.KiroAdapter;
import dev.tokenproxy.adapter.out.upstream.mock.MockAdapter;
import dev.tokenproxy.adapter.out.upstream.openai.OpenAiChatAdapter;
import dev.tokenproxy.adapter.out.upstream.responses.OpenAiResponsesAdapter;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The providers this build has, each declared once by its adapter. Configuration validation asks it which
 * {@code provider} values exist and the Guice wiring binds one {@link SendAttemptPort} per entry, so the two
 * read the same list and cannot disagree.
 */
public final class ProviderRegistry {

    /**
     * The provider names the configuration contract defines. One this build has no adapter for is refused as
     * "not available yet" rather than as unknown, so that a valid contract file gets the truthful reason.
     */
    private static final Set<String> CONTRACT = Set.of("openai", "openai_responses", "anthropic", "codex", "kiro");

    private final Map<String, Provider> byName = new LinkedHashMap<>();

    public ProviderRegistry(List<Provider> providers) {
        for (var provider : providers) {
            String name = provider.descriptor().name();
            if (byName.putIfAbsent(name, provider) != null) {
                throw new IllegalArgumentException("provider " + name + " is registered twice");
            }
        }
    }

    /** The providers of this build: a new provider is one more entry here and its construction in the wiring. */
    public static ProviderRegistry ofThisBuild() {
        return new ProviderRegistry(List.of(
                new Provider(OpenAiChatAdapter.DESCRIPTOR, OpenAiChatAdapter.class),
                new Provider(OpenAiResponsesAdapter.DESCRIPTOR, OpenAiResponsesAdapter.class),
                new Provider(AnthropicAdapter.DESCRIPTOR, AnthropicAdapter.class),
                new Provider(CodexAdapter.DESCRIPTOR, CodexAdapter.class),
                new Provider(KiroAdapter.DESCRIPTOR, KiroAdapter.class),
                new Provider(MockAdapter.DESCRIPTOR, MockAdapter.class)));
    }

    public Collection<Provider> providers() {
        return List.copyOf(byName.values());
    }

    /** What an upstream's {@code provider} value (lower-cased) refers to in this build. */
    public Lookup lookup(String name) {
        var provider = byName.get(name);
        if (provider != null) {
            return new Lookup.Available(provider);
        }
        return CONTRACT.contains(name)
                ? new Lookup.NotYetAvailable(name, available())
                : new Lookup.Unknown(name, known());
    }

    /** Names this build serves, sorted for messages. */
    private List<String> available() {
        return List.copyOf(new TreeSet<>(byName.keySet()));
    }

    /** Names of the contract and of this build, sorted for messages. */
    private List<String> known() {
        var names = new TreeSet<>(CONTRACT);
        names.addAll(byName.keySet());
        return List.copyOf(names);
    }

    /**
     * One provider of the build: what it declares and the adapter class that serves its upstreams. The class is
     * named rather than built because configuration is validated before there is anything to build it with.
     */
    public record Provider(ProviderDescriptor descriptor, Class<? extends SendAttemptPort> adapter) {
        public Provider {
            Objects.requireNonNull(descriptor, "descriptor");
            Objects.requireNonNull(adapter, "adapter");
        }
    }

    /** The answer to "which provider is this name?". */
    public sealed interface Lookup {

        /** This build has the provider. */
        record Available(Provider provider) implements Lookup {
        }

        /** The contract defines the provider, this build has no adapter for it yet. */
        record NotYetAvailable(String name, List<String> available) implements Lookup {
            public NotYetAvailable {
                available = List.copyOf(available);
            }
        }

        /** Neither the contract nor this build knows the name. */
        record Unknown(String name, List<String> known) implements Lookup {
            public Unknown {
                known = List.copyOf(known);
            }
        }
    }
}
