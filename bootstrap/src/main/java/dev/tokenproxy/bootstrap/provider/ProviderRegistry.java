package dev.tokenproxy.bootstrap.provider;

import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.spi.ProviderPlugin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * The providers the gateway has: every {@link ProviderPlugin} found with {@link ServiceLoader} on the class path
 * (the built-ins, and any plug-in jar put there) and in the configured plug-in folder ({@link PluginFolder}).
 * Configuration validation asks it which {@code provider} values exist and the Guice wiring builds one port per entry,
 * so the two read the same list and cannot disagree.
 */
public final class ProviderRegistry {

    /**
     * The provider names the configuration contract defines. One this build has no adapter for is refused as
     * "not available yet" rather than as unknown, so that a valid contract file gets the truthful reason.
     */
    private static final Set<String> CONTRACT = Set.of("openai", "openai_responses", "anthropic", "codex", "kiro");

    private final Map<String, Provider> byName = new LinkedHashMap<>();

    /** @throws ProviderLoadingException when two providers have one name, or a provider's declaration is wrong */
    public ProviderRegistry(List<Provider> providers) {
        for (var provider : providers) {
            String name = provider.descriptor().name();
            var earlier = byName.putIfAbsent(name, provider);
            if (earlier != null) {
                throw new ProviderLoadingException("provider '" + name + "' is declared twice: by "
                        + earlier.describe() + ", and by " + provider.describe() + "; remove one of them");
            }
        }
    }

    /** The providers on the gateway's own class path: the built-ins, and plug-ins put on the class path. */
    public static ProviderRegistry ofThisBuild() {
        return discover(Optional.empty());
    }

    /**
     * The providers on the gateway's class path and, when given, in the plug-in folder.
     *
     * @throws ProviderLoadingException naming the jar or class of a provider that cannot be loaded
     */
    public static ProviderRegistry discover(Optional<Path> pluginsDir) {
        return new ProviderRegistry(onClassPath(ProviderRegistry.class.getClassLoader())).withPluginsFrom(pluginsDir);
    }

    /**
     * These providers and those of the plug-in folder, when one is given.
     *
     * @throws ProviderLoadingException naming the folder or jar that cannot be used, or a name declared twice
     */
    public ProviderRegistry withPluginsFrom(Optional<Path> pluginsDir) {
        if (pluginsDir.isEmpty()) {
            return this;
        }
        var all = new ArrayList<>(byName.values());
        all.addAll(PluginFolder.providers(pluginsDir.get()));
        return new ProviderRegistry(all);
    }

    /** The providers {@code loader} sees, each read once; the origin names where its class came from. */
    static List<Provider> onClassPath(ClassLoader loader) {
        var found = new ArrayList<Provider>();
        var plugins = ServiceLoader.load(ProviderPlugin.class, loader).iterator();
        while (true) {
            ProviderPlugin plugin;
            try {
                if (!plugins.hasNext()) {
                    return found;
                }
                plugin = plugins.next();
            } catch (ServiceConfigurationError e) {
                throw new ProviderLoadingException("a provider on the class path cannot be loaded: "
                        + ProviderLoadingException.describe(e));
            }
            found.add(Provider.declaredBy(plugin, "the class path"));
        }
    }

    public Collection<Provider> providers() {
        return List.copyOf(byName.values());
    }

    /** What an upstream's {@code provider} value (lower-cased) refers to. */
    public Lookup lookup(String name) {
        var provider = byName.get(name);
        if (provider != null) {
            return new Lookup.Available(provider);
        }
        return CONTRACT.contains(name)
                ? new Lookup.NotYetAvailable(name, available())
                : new Lookup.Unknown(name, known());
    }

    /** Names this gateway serves, sorted for messages. */
    private List<String> available() {
        return List.copyOf(new TreeSet<>(byName.keySet()));
    }

    /** Names of the contract and of this gateway (plug-ins included), sorted for messages. */
    private List<String> known() {
        var names = new TreeSet<>(CONTRACT);
        names.addAll(byName.keySet());
        return List.copyOf(names);
    }

    /**
     * One provider: its plug-in, what it declared (read once, when it was found) and where it came from. The port is
     * not built here, because configuration is validated before there is anything to build it with.
     *
     * @param origin where the plug-in was found, for messages: {@code the class path} or a jar of the plug-in folder
     */
    public record Provider(ProviderPlugin plugin, ProviderDescriptor descriptor, String origin) {
        public Provider {
            Objects.requireNonNull(plugin, "plugin");
            Objects.requireNonNull(descriptor, "descriptor");
            Objects.requireNonNull(origin, "origin");
        }

        /**
         * Reads what {@code plugin} declares, once; a plug-in that throws here, or whose classification rows speak
         * for another provider, is refused.
         */
        static Provider declaredBy(ProviderPlugin plugin, String origin) {
            String type = plugin.getClass().getName();
            ProviderDescriptor descriptor;
            try {
                descriptor = Objects.requireNonNull(plugin.descriptor(), "descriptor() returned null");
                for (var row : Objects.requireNonNull(plugin.classificationRules(), "classificationRules() is null")) {
                    if (!"*".equals(row.provider()) && !row.provider().equals(descriptor.name())) {
                        throw new IllegalArgumentException("a classification row names provider '" + row.provider()
                                + "'; a provider's rows may name only itself or '*'");
                    }
                }
                Objects.requireNonNull(plugin.configSection(), "configSection() returned null");
            } catch (RuntimeException | LinkageError e) {
                throw new ProviderLoadingException("provider " + type + " from " + origin
                        + " cannot be loaded: " + ProviderLoadingException.describe(e));
            }
            return new Provider(plugin, descriptor, origin);
        }

        /** {@code com.example.RelayPlugin from plug-in jar /srv/tp/plugins/relay.jar}, for messages. */
        public String describe() {
            return plugin.getClass().getName() + " from " + origin;
        }
    }

    /** The answer to "which provider is this name?". */
    public sealed interface Lookup {

        /** The gateway has the provider. */
        record Available(Provider provider) implements Lookup {
        }

        /** The contract defines the provider, this build has no adapter for it yet. */
        record NotYetAvailable(String name, List<String> available) implements Lookup {
            public NotYetAvailable {
                available = List.copyOf(available);
            }
        }

        /** Neither the contract nor this gateway knows the name. */
        record Unknown(String name, List<String> known) implements Lookup {
            public Unknown {
                known = List.copyOf(known);
            }
        }
    }
}
