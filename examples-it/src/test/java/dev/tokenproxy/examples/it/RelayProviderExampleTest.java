package dev.tokenproxy.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.examples.it.broken.BrokenFactoryPlugin;
import dev.tokenproxy.examples.it.thrower.ThrowingPlugin;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/examples/relay-provider, built by Maven on its own against the jars this build published, is a provider the
 * real gateway jar loads from plugins_dir at start and serves requests through: failing over from it to a built-in
 * provider and back, and surviving a plug-in that throws.
 */
class RelayProviderExampleTest {

    private static final String RELAY_KEY = "sk-relay-example-key";
    private static final String OPENAI_KEY = "sk-openai-example-key";

    @TempDir
    static Path work;
    /** The example's jar, built once for every test. */
    private static Path relayJar;
    private static ExampleBuild maven;

    @TempDir
    Path folder;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private FakeOpenAiUpstream relayUpstream;
    private FakeOpenAiUpstream openAiUpstream;

    @BeforeAll
    static void buildTheExampleAgainstThePublishedJars() {
        maven = ExampleBuild.fromSystemProperties();
        maven.installPublishedJars();
        relayJar = maven.build(maven.example("relay-provider"), work).resolve("relay-provider.jar");
        assertThat(relayJar).isRegularFile();
    }

    @BeforeEach
    void startUpstreams() {
        relayUpstream = FakeOpenAiUpstream.start().defaultReply(Reply.ok("Hello from the relayed server"));
        openAiUpstream = FakeOpenAiUpstream.start().defaultReply(Reply.ok("Hello from OpenAI"));
    }

    @AfterEach
    void stopUpstreams() {
        relayUpstream.close();
        openAiUpstream.close();
    }

    /**
     * The plug-in provider first, the built-in openai second; no cooldown and no resend in place, so each request
     * shows where the failover loop went without waiting for anything.
     */
    private Path config(String firstProvider, String firstFields, Path... pluginJars) throws IOException {
        Path plugins = Files.createDirectories(folder.resolve("plugins"));
        for (Path jar : pluginJars) {
            Files.copy(jar, plugins.resolve(jar.getFileName()));
        }
        return Files.writeString(folder.resolve("token-proxy.yaml"), """
                listen: { host: 127.0.0.1, port: 0 }
                plugins_dir: plugins
                data_dir: data
                records: { enabled: false }
                routing: { same_upstream_retries: 0 }
                cooldown: { base_seconds: 0, max_seconds: 0 }
                upstreams:
                  - { id: first, provider: %s, base_url: "%s", api_keys: ["%s"]%s }
                  - { id: builtin, provider: openai, base_url: "%s", api_keys: ["%s"] }
                """.formatted(firstProvider, relayUpstream.baseUrl(), RELAY_KEY, firstFields,
                openAiUpstream.baseUrl(), OPENAI_KEY));
    }

    private HttpResponse<String> chat(GatewayProcess gateway) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"gpt-example","messages":[{"role":"user","content":"hi"}]}"""))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** @param credential {@code upstream-id/key-N}, as the gateway's {@code x-token-proxy-upstream} header names it */
    private static void assertServedBy(HttpResponse<String> response, String credential, String attempts,
                                       String content) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-token-proxy-upstream")).hasValue(credential);
        assertThat(response.headers().firstValue("x-token-proxy-attempts")).hasValue(attempts);
        assertThat(response.body()).contains(content);
    }

    @Test
    void servesThroughThePluginFailsOverToTheBuiltInOnItsFailuresAndComesBack() throws Exception {
        try (var gateway = GatewayProcess.start(maven.gatewayJar(),
                config("relay", ", relay: { path: /chat/completions }", relayJar))) {

            assertServedBy(chat(gateway), "first/key-1", "1", "Hello from the relayed server");
            assertThat(relayUpstream.requests()).singleElement().satisfies(request -> {
                assertThat(request.bearerKey()).isEqualTo(RELAY_KEY);
                assertThat(request.path()).isEqualTo("/v1/chat/completions");
            });

            relayUpstream.script(FakeOpenAiUpstream.ANY, FakeOpenAiUpstream.ANY,
                    Reply.error(429, "rate_limit_error", "rate_limited", "slow down"));
            assertServedBy(chat(gateway), "builtin/key-1", "2", "Hello from OpenAI");

            relayUpstream.script(FakeOpenAiUpstream.ANY, FakeOpenAiUpstream.ANY,
                    Reply.error(501, "server_error", null, "not implemented here"));
            assertServedBy(chat(gateway), "builtin/key-1", "2", "Hello from OpenAI");

            assertServedBy(chat(gateway), "first/key-1", "1", "Hello from the relayed server");
            assertThat(relayUpstream.requests()).hasSize(4);
            assertThat(openAiUpstream.requests()).hasSize(2)
                    .allSatisfy(request -> assertThat(request.bearerKey()).isEqualTo(OPENAI_KEY));
            assertThat(gateway.stderr()).doesNotContain(RELAY_KEY).doesNotContain(OPENAI_KEY);
        }
    }

    @Test
    void aPluginThatThrowsLosesItsAttemptsButTheGatewayKeepsServing() throws Exception {
        Path throwerJar = pluginJar(ThrowingPlugin.class, "thrower.jar");
        try (var gateway = GatewayProcess.start(maven.gatewayJar(), config("thrower", "", relayJar, throwerJar))) {

            assertServedBy(chat(gateway), "builtin/key-1", "2", "Hello from OpenAI");
            assertServedBy(chat(gateway), "builtin/key-1", "2", "Hello from OpenAI");

            String log = gateway.stderr();
            assertThat(log.lines().filter(line -> line.contains("provider 'thrower'"))).singleElement()
                    .satisfies(line -> assertThat(line).contains("java.lang.IllegalStateException")
                            .contains("thrower.jar"));
            assertThat(log).doesNotContain(RELAY_KEY).doesNotContain("cannot use key");
        }
    }

    @Test
    void anUnknownProviderIsRefusedNamingThePluginProvidersAmongTheKnownOnes() throws Exception {
        var refusal = GatewayProcess.refused(maven.gatewayJar(), config("gemini", "", relayJar));

        assertThat(refusal.exitCode()).isEqualTo(2);
        assertThat(refusal.stdout()).isEmpty();
        assertThat(refusal.stderr().strip()).isEqualTo("token-proxy: invalid configuration: upstreams[0].provider: "
                + "unknown provider 'gemini' (known: anthropic, codex, kiro, mock, openai, openai_responses, relay)");
    }

    @Test
    void aPluginWhoseFactoryThrowsRefusesTheStartWithOneLineNamingItsJar() throws Exception {
        Path brokenJar = pluginJar(BrokenFactoryPlugin.class, "broken.jar");
        var refusal = GatewayProcess.refused(maven.gatewayJar(), config("broken", "", relayJar, brokenJar));

        assertThat(refusal.exitCode()).isEqualTo(2);
        assertThat(refusal.stdout()).isEmpty();
        assertThat(refusal.stderr().lines().filter(line -> line.startsWith("token-proxy:"))).singleElement()
                .satisfies(line -> assertThat(line).startsWith("token-proxy: provider 'broken' ("
                                + BrokenFactoryPlugin.class.getName() + " from plug-in jar ")
                        .contains("broken.jar").endsWith("cannot be started: java.lang.IllegalStateException: "
                                + "model file /opt/broken/weights.bin is missing"));
        assertThat(refusal.stderr()).doesNotContain("\tat ").doesNotContain("ProvisionException");
    }

    @Test
    void theRelayOptionsAreValidatedByThePluginsOwnSection() throws Exception {
        var refusal = GatewayProcess.refused(maven.gatewayJar(),
                config("relay", ", relay: { path: chat }", relayJar));

        assertThat(refusal.exitCode()).isEqualTo(2);
        assertThat(refusal.stderr().strip()).isEqualTo("token-proxy: invalid configuration: upstreams[0].relay.path: "
                + "must start with '/', got 'chat'");
    }

    /** A jar holding {@code plugin}'s classes (from this module's test classes) and the services file naming it. */
    private Path pluginJar(Class<? extends ProviderPlugin> plugin, String name) throws IOException {
        Path classes = Path.of(plugin.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path packageFolder = classes.resolve(plugin.getPackageName().replace('.', '/'));
        Path jar = folder.resolve(name);
        try (var out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.list(packageFolder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + ProviderPlugin.class.getName()));
            out.write((plugin.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }
}
