package dev.tokenproxy.bootstrap.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import com.google.inject.ProvisionException;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.bootstrap.config.ConfigException;
import dev.tokenproxy.bootstrap.config.ConfigLoader;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.bootstrap.provider.ContainedSendAttemptPort;
import dev.tokenproxy.bootstrap.provider.PluginJars;
import dev.tokenproxy.bootstrap.provider.ProviderLoadingException;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration validation and the injector read one registry, the configuration's: whatever it holds (built-ins and
 * plug-ins alike), config accepts and the injector binds a port for, under the same name; whatever it lacks, config
 * refuses.
 */
class ProviderWiringTest {

    private static final Key<Map<String, SendAttemptPort>> PORTS = Key.get(new TypeLiteral<>() { });

    @TempDir
    Path folder;

    private GatewayConfig load(String provider, String extra) throws IOException {
        // An upstream of an account provider draws every account of the default store: one must exist.
        Files.createDirectories(folder.resolve("data"));
        Files.writeString(folder.resolve("data/accounts.json"), """
                { "accounts": [ { "id": "a", "provider": "%s", "status": "active", "access_token": "at" } ] }
                """.formatted(provider));
        Path file = Files.writeString(folder.resolve("token-proxy.yaml"), extra + """
                upstreams:
                  - { id: only, provider: %s, base_url: "https://upstream.example/v1" }
                """.formatted(provider));
        return new ConfigLoader(Map.of()).loadFile(file);
    }

    /** Builds the gateway's injector, hands over its ports and closes the upstream client it opened. */
    private static void withPorts(GatewayConfig config, Consumer<Map<String, SendAttemptPort>> check) {
        Injector injector = Guice.createInjector(TokenProxyModules.all(config, Clock.systemUTC()));
        try {
            check.accept(injector.getInstance(PORTS));
        } finally {
            injector.getInstance(UpstreamHttpClient.class).close();
        }
    }

    @Test
    void everyBuiltInProviderIsAcceptedByConfigurationAndBoundToAContainedPortThatDeclaresIt() throws IOException {
        var names = new ArrayList<String>();
        for (var provider : ProviderRegistry.ofThisBuild().providers()) {
            String name = provider.descriptor().name();
            names.add(name);
            var config = load(name, "");
            assertThat(config.upstreams().upstreams()).singleElement()
                    .satisfies(u -> assertThat(u.provider()).isEqualTo(name));
            withPorts(config, ports -> assertThat(ports.get(name)).isInstanceOfSatisfying(
                    ContainedSendAttemptPort.class, port -> assertThat(port.descriptor())
                            .isEqualTo(provider.descriptor())));
        }
        assertThat(names).contains("openai", "mock");
        withPorts(load("openai", ""), ports -> assertThat(ports.keySet()).hasSameElementsAs(names));
    }

    @Test
    void aProviderFromThePluginFolderIsAcceptedByConfigurationAndBoundLikeABuiltIn() throws IOException {
        assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> load("ollama", ""))
                .withMessageStartingWith("upstreams[0].provider: unknown provider 'ollama'");
        String className = "com.example.ollama.OllamaPlugin";
        PluginJars.build(folder.resolve("plugins"), "ollama.jar", PluginJars.one(className, PluginJars.plugin(
                className, "ollama", "", "return new AttemptOutcome.Success<>(200, new UpstreamReply.Buffered(200, "
                        + "Map.of(), \"{}\".getBytes()));")), List.of(className));

        var config = load("ollama", "plugins_dir: plugins\n");

        assertThat(config.upstreams().upstreams()).singleElement()
                .satisfies(u -> assertThat(u.provider()).isEqualTo("ollama"));
        withPorts(config, ports -> {
            assertThat(ports.get("ollama").descriptor().name()).isEqualTo("ollama");
            assertThat(ports).containsOnlyKeys("openai", "openai_responses", "anthropic", "codex", "kiro", "mock",
                    "ollama");
        });
    }

    @Test
    void aPluginProviderGetsTheCredentialRulesOfTheKindItDeclares() throws IOException {
        String className = "com.example.keys.KeysPlugin";
        PluginJars.build(folder.resolve("plugins"), "keys.jar", PluginJars.one(className,
                PluginJars.plugin(className, "keys", "", "return null;")), List.of(className));
        Path file = Files.writeString(folder.resolve("token-proxy.yaml"), """
                plugins_dir: plugins
                upstreams:
                  - { id: only, provider: keys, base_url: "https://upstream.example/v1", account: alice }
                """);

        assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> new ConfigLoader(Map.of()).loadFile(file))
                .withMessage("upstreams[0].account: provider 'keys' authenticates with api_keys, not with stored "
                        + "accounts");
    }

    @Test
    void aPluginsDirThatDoesNotExistIsAConfigurationErrorNamingTheFolderResolvedFromTheFile() {
        assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> load("openai", "plugins_dir: missing\n"))
                .withMessage("plugins_dir " + folder.resolve("missing") + " is not a folder (it does not exist, or is "
                        + "a file): create it, or remove plugins_dir");
    }

    @Test
    void aPluginWhoseFactoryThrowsStopsTheWiringNamingItsJar() throws IOException {
        String className = "com.example.broken.BrokenPlugin";
        String source = PluginJars.plugin(className, "broken", "", "return null;").replace(
                "return new SendAttemptPort() {", "if (true) { throw new IllegalStateException(\"no model file\"); }\n"
                        + "        return new SendAttemptPort() {");
        PluginJars.build(folder.resolve("plugins"), "broken.jar", PluginJars.one(className, source),
                List.of(className));
        var config = load("broken", "plugins_dir: plugins\n");

        assertThatExceptionOfType(ProvisionException.class)
                .isThrownBy(() -> withPorts(config, ports -> { }))
                .havingCause().isInstanceOf(ProviderLoadingException.class)
                .withMessageContaining("provider 'broken'").withMessageContaining("broken.jar")
                .withMessageContaining("java.lang.IllegalStateException: no model file");
    }
}
