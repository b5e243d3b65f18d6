package dev.tokenproxy.bootstrap.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.tokenproxy.adapter.out.upstream.openai.OpenAiChatAdapter;
import dev.tokenproxy.adapter.out.upstream.openai.OpenAiChatPlugin;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry.Lookup;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry.Provider;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.ClassificationRule;
import dev.tokenproxy.domain.classify.Verdict;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderRegistryTest {

    @TempDir
    Path folder;

    /** A plug-in that only declares; the registry never builds its port. */
    private record Declaring(ProviderDescriptor descriptor, List<ClassificationRule> classificationRules)
            implements ProviderPlugin {
        @Override
        public SendAttemptPort create(ProviderContext context) {
            throw new AssertionError("the registry reads declarations only");
        }
    }

    private static Provider provider(String name) {
        return new Provider(new Declaring(ProviderDescriptor.nativeOnly(name, InboundFormat.MESSAGES), List.of()),
                ProviderDescriptor.nativeOnly(name, InboundFormat.MESSAGES), "the test");
    }

    private Path plugins() {
        return folder.resolve("plugins");
    }

    private Path pluginJar(String jarName, String className, String provider, String constructorBody) {
        return PluginJars.build(plugins(), jarName, PluginJars.one(className,
                        PluginJars.plugin(className, provider, constructorBody, "throw new AssertionError();")),
                List.of(className));
    }

    @Test
    void theServiceLoaderFindsEveryBuiltInProviderUnderTheNameItsAdapterDeclares() {
        var registry = ProviderRegistry.ofThisBuild();

        assertThat(registry.providers()).extracting(p -> p.descriptor().name()).containsExactlyInAnyOrder(
                "openai", "openai_responses", "anthropic", "codex", "kiro", "mock");
        assertThat(registry.lookup("openai")).isInstanceOfSatisfying(Lookup.Available.class, found -> {
            assertThat(found.provider().descriptor()).isEqualTo(OpenAiChatAdapter.DESCRIPTOR);
            assertThat(found.provider().plugin()).isInstanceOf(OpenAiChatPlugin.class);
        });
    }

    @Test
    void aContractProviderWithoutAnAdapterIsNotYetAvailableAndNamesTheOnesThatAre() {
        var registry = new ProviderRegistry(List.of(provider("openai"), provider("anthropic")));

        assertThat(registry.lookup("codex"))
                .isEqualTo(new Lookup.NotYetAvailable("codex", List.of("anthropic", "openai")));
    }

    @Test
    void aNameNeitherTheContractNorTheGatewayHasIsUnknownAndTheKnownOnesAreListedSorted() {
        var registry = new ProviderRegistry(List.of(provider("openai"), provider("mock"), provider("echo")));

        assertThat(registry.lookup("gemini")).isEqualTo(new Lookup.Unknown("gemini",
                List.of("anthropic", "codex", "echo", "kiro", "mock", "openai", "openai_responses")));
    }

    @Test
    void refusesTwoProvidersOfTheSameNameNamingWhereEachCameFrom() {
        assertThatExceptionOfType(ProviderLoadingException.class)
                .isThrownBy(() -> new ProviderRegistry(List.of(provider("mock"), provider("mock"))))
                .withMessageContaining("provider 'mock' is declared twice").withMessageContaining("the test");
    }

    @Test
    void aPluginJarInTheFolderIsFoundBesideTheBuiltIns() {
        pluginJar("echo.jar", "com.example.echo.EchoPlugin", "echo", "");

        var registry = ProviderRegistry.discover(Optional.of(plugins()));

        assertThat(registry.lookup("echo")).isInstanceOfSatisfying(Lookup.Available.class, found -> {
            assertThat(found.provider().origin()).contains("echo.jar");
            assertThat(found.provider().plugin().getClass().getClassLoader())
                    .isNotSameAs(ProviderRegistry.class.getClassLoader());
        });
        assertThat(registry.lookup("openai")).isInstanceOf(Lookup.Available.class);
    }

    @Test
    void aPluginThatTakesABuiltInNameIsRefusedNamingItsJar() {
        pluginJar("impostor.jar", "com.example.impostor.OpenAiAgain", "openai", "");

        assertThatExceptionOfType(ProviderLoadingException.class)
                .isThrownBy(() -> ProviderRegistry.discover(Optional.of(plugins())))
                .withMessageContaining("provider 'openai' is declared twice").withMessageContaining("impostor.jar");
    }

    @Test
    void aMissingFolderIsRefusedNamingIt() {
        assertThatExceptionOfType(ProviderLoadingException.class)
                .isThrownBy(() -> ProviderRegistry.discover(Optional.of(folder.resolve("nowhere"))))
                .withMessage("plugins_dir " + folder.resolve("nowhere") + " is not a folder (it does not exist, or is "
                        + "a file): create it, or remove plugins_dir");
    }

    @Test
    void aJarThatDeclaresNoProviderIsRefusedNamingIt() {
        String className = "com.example.quiet.Quiet";
        PluginJars.build(plugins(), "quiet.jar", PluginJars.one(className,
                PluginJars.plugin(className, "quiet", "", "return null;")), List.of());

        assertThatExceptionOfType(ProviderLoadingException.class)
                .isThrownBy(() -> ProviderRegistry.discover(Optional.of(plugins())))
                .withMessageContaining("quiet.jar declares no provider");
    }

    @Test
    void aFileThatIsNotAJarIsRefusedNamingIt() throws IOException {
        Files.createDirectories(plugins());
        Files.writeString(plugins().resolve("broken.jar"), "not a zip");

        assertThatExceptionOfType(ProviderLoadingException.class)
                .isThrownBy(() -> ProviderRegistry.discover(Optional.of(plugins())))
                .withMessageContaining("broken.jar cannot be read as a jar");
    }

    @Test
    void aPluginWhoseConstructorThrowsIsRefusedNamingItsJarAndWhatItSaid() {
        pluginJar("angry.jar", "com.example.angry.Angry", "angry",
                "if (true) { throw new IllegalStateException(\"no licence file\"); }");

        assertThatExceptionOfType(ProviderLoadingException.class)
                .isThrownBy(() -> ProviderRegistry.discover(Optional.of(plugins())))
                .withMessageContaining("angry.jar cannot be loaded")
                .withMessageContaining("java.lang.IllegalStateException: no licence file");
    }

    @Test
    void classificationRowsThatSpeakForAnotherProviderAreRefused() {
        var rows = List.of(ClassificationRule.status(429, Verdict.retry(RetryReason.RATE_LIMITED,
                Verdict.CooldownKind.TRANSIENT)).forProvider("openai"));
        var plugin = new Declaring(ProviderDescriptor.nativeOnly("echo", InboundFormat.CHAT), rows);

        assertThatExceptionOfType(ProviderLoadingException.class)
                .isThrownBy(() -> Provider.declaredBy(plugin, "the test"))
                .withMessageContaining("names provider 'openai'");
    }
}
