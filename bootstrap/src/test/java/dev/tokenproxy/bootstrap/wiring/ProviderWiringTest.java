package dev.tokenproxy.bootstrap.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.bootstrap.config.ConfigException;
import dev.tokenproxy.bootstrap.config.ConfigLoader;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.bootstrap.config.HostLimits;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Configuration validation and the injector read one registry: whatever it holds, config accepts and the injector
 * binds a port for, under the same name; whatever it lacks, config refuses.
 */
class ProviderWiringTest {

    private static final Key<Map<String, SendAttemptPort>> PORTS = Key.get(new TypeLiteral<>() { });

    @TempDir
    Path folder;

    /** The adapter of a provider only the test has; Guice builds it like any adapter bound by class. */
    public static final class FakeAdapter implements SendAttemptPort {

        public FakeAdapter() {
        }

        @Override
        public ProviderDescriptor descriptor() {
            throw new AssertionError("wiring and configuration read the registry's declaration");
        }

        @Override
        public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
            throw new AssertionError("not sent to");
        }
    }

    private GatewayConfig load(ProviderRegistry registry, String provider) throws IOException {
        // An upstream of an account provider draws every account of the default store: one must exist.
        Files.createDirectories(folder.resolve("data"));
        Files.writeString(folder.resolve("data/accounts.json"), """
                { "accounts": [ { "id": "a", "provider": "%s", "status": "active", "access_token": "at" } ] }
                """.formatted(provider));
        Path file = Files.writeString(folder.resolve("token-proxy.yaml"), """
                upstreams:
                  - { id: only, provider: %s, base_url: "https://upstream.example/v1" }
                """.formatted(provider));
        return new ConfigLoader(Map.of(), HostLimits.current(), registry).loadFile(file);
    }

    /** Builds the gateway's injector, hands over its ports and closes the upstream client it opened. */
    private static void withPorts(GatewayConfig config, ProviderRegistry registry,
                                  Consumer<Map<String, SendAttemptPort>> check) {
        Injector injector = Guice.createInjector(TokenProxyModules.all(config, Clock.systemUTC(), registry));
        try {
            check.accept(injector.getInstance(PORTS));
        } finally {
            injector.getInstance(UpstreamHttpClient.class).close();
        }
    }

    @Test
    void everyProviderOfThisBuildIsAcceptedByConfigurationAndBoundToAPortThatDeclaresIt() throws IOException {
        var registry = ProviderRegistry.ofThisBuild();
        var names = new ArrayList<String>();
        for (var provider : registry.providers()) {
            String name = provider.descriptor().name();
            names.add(name);
            var config = load(registry, name);
            assertThat(config.upstreams().upstreams()).singleElement()
                    .satisfies(u -> assertThat(u.provider()).isEqualTo(name));
            withPorts(config, registry, ports -> assertThat(ports.get(name)).isInstanceOfSatisfying(
                    provider.adapter(), port -> assertThat(port.descriptor()).isEqualTo(provider.descriptor())));
        }
        assertThat(names).contains("openai");
        withPorts(load(registry, "openai"), registry, ports -> assertThat(ports.keySet()).hasSameElementsAs(names));
    }

    /** ollama: a provider the contract does not name at all (every provider the contract names is built). */
    @ParameterizedTest
    @ValueSource(strings = {"ollama"})
    void aProviderAddedToTheRegistryIsAcceptedByConfigurationAndBound(String name) throws IOException {
        assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> load(ProviderRegistry.ofThisBuild(), name))
                .withMessageStartingWith("upstreams[0].provider: ");

        var fake = new ProviderRegistry.Provider(ProviderDescriptor.nativeOnly(name, InboundFormat.MESSAGES),
                FakeAdapter.class);
        var providers = new ArrayList<>(ProviderRegistry.ofThisBuild().providers());
        providers.add(fake);
        var registry = new ProviderRegistry(providers);

        var config = load(registry, name);

        assertThat(config.upstreams().upstreams()).singleElement()
                .satisfies(u -> assertThat(u.provider()).isEqualTo(name));
        withPorts(config, registry, ports -> {
            assertThat(ports.get(name)).isInstanceOf(FakeAdapter.class);
            assertThat(ports).containsOnlyKeys("openai", "openai_responses", "anthropic", "codex", "kiro", "mock", name);
        });
    }
}
