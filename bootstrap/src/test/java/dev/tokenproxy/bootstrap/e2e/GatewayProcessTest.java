package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.bootstrap.Main;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The gateway as a separate process, the way users start it: its launch contract, exit codes and signals. */
class GatewayProcessTest {

    private static final Duration PROCESS_WAIT = Duration.ofSeconds(30);

    @TempDir
    Path folder;

    private Process process;

    @AfterEach
    void stopProcess() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** {@code java dev.tokenproxy.bootstrap.Main args} with this JVM's JDK and test classpath. */
    private Process launch(List<String> args, String configEnv) throws IOException {
        var command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // What the jar's manifest says (Enable-Native-Access, for sqlite-jdbc), which -cp does not read.
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        var builder = new ProcessBuilder(command);
        builder.environment().remove("TOKEN_PROXY_CONFIG");
        if (configEnv != null) {
            builder.environment().put("TOKEN_PROXY_CONFIG", configEnv);
        }
        builder.environment().put("UPSTREAM_KEY", "sk-process-test-key");
        process = builder.start();
        return process;
    }

    private static String readAll(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String firstLine(java.io.InputStream stream) throws IOException {
        return new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)).readLine();
    }

    @Test
    void invalidConfigExitsNonZeroWithOneLineNamingTheField() throws Exception {
        Path config = Files.writeString(folder.resolve("bad.yaml"), """
                upstreams:
                  - { id: x, provider: gemini, base_url: "http://127.0.0.1:1/v1" }
                """);

        var p = launch(List.of("--config", config.toString()), null);

        assertThat(p.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        var stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(stderr.lines()).hasSize(1);
        assertThat(stderr).contains("upstreams[0].provider").contains("gemini");
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
    }

    /** What a start that cannot listen leaves on stderr: the log lines before it, and one line for the failure. */
    private static void assertOneLineNamingTheCause(String stderr, String expected) {
        assertThat(stderr.lines().filter(line -> line.startsWith("token-proxy:"))).containsExactly(expected);
        assertThat(stderr).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("SEVERE")
                .doesNotContain("listening on");
    }

    @Test
    void aTakenPortExitsNonZeroWithOneLineNamingTheCauseAndNoListeningLine() throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(folder.resolve("taken.yaml"),
                    "listen: { host: 127.0.0.1, port: " + taken.getLocalPort() + " }\n");

            var p = launch(List.of("--config", config.toString()), null);

            assertThat(p.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(readAll(p.getInputStream())).isEmpty();
            assertOneLineNamingTheCause(readAll(p.getErrorStream()),
                    "token-proxy: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use");
        }
    }

    @Test
    void anAddressThisHostDoesNotHaveExitsNonZeroWithOneLineNamingTheCause() throws Exception {
        // 192.0.2.0/24 is reserved for documentation (RFC 5737): no host has it.
        Path config = Files.writeString(folder.resolve("elsewhere.yaml"), """
                listen: { host: 192.0.2.1, port: 0 }
                local_api_keys: [ { name: ops, key: some-local-key } ]
                """);

        var p = launch(List.of("--config", config.toString()), null);

        assertThat(p.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(readAll(p.getInputStream())).isEmpty();
        assertOneLineNamingTheCause(readAll(p.getErrorStream()),
                "token-proxy: cannot listen on 192.0.2.1:0: cannot assign requested address");
    }

    @Test
    void printsTheListeningLineFirstAndDrainsAnInFlightRequestOnSigterm() throws Exception {
        try (var upstream = FakeOpenAiUpstream.start()) {
            upstream.defaultReply(Reply.slowFirstToken(Duration.ofMillis(1500), "finished while draining"));
            Path config = Files.writeString(folder.resolve("gateway.yaml"), """
                    listen: { host: 127.0.0.1, port: 0 }
                    shutdown_grace_seconds: 20
                    upstreams:
                      - { id: only, provider: openai, base_url: "%s", api_keys: ["${UPSTREAM_KEY}"] }
                    """.formatted(upstream.baseUrl()));
            var p = launch(List.of(), config.toString());
            // Drained while the process runs, so a chatty log can never block it on a full pipe.
            var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));

            String line = firstLine(p.getInputStream());
            assertThat(line).matches("token-proxy listening on http://127\\.0\\.0\\.1:\\d+");
            String baseUrl = line.substring("token-proxy listening on ".length());

            var http = HttpClient.newHttpClient();
            var inFlight = http.sendAsync(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(GatewayUnderTest.chatBody("m", false)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(upstream.awaitRequestCount(1, PROCESS_WAIT)).isTrue();

            p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its pipes)

            var response = inFlight.get(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("finished while draining");
            assertThat(p.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            // The drained request's own line too: logged just before the exit, while the log writer may still be
            // gathering lines (the JDK's log manager closes the handler at exit, which writes them).
            assertThat(stderr.get(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS))
                    .contains("configuration: " + config).doesNotContain("sk-process-test-key")
                    .contains("token-proxy draining in-flight requests and stopping")
                    .containsPattern("POST /v1/chat/completions model m via only/\\S+, 1 attempt, 200");
        }
    }

    /** Runs a command that answers without starting the gateway, and returns its stdout, checking it was quiet else. */
    private String answerOf(List<String> args) throws Exception {
        var p = launch(args, null);
        var stdout = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        assertThat(p.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(readAll(p.getErrorStream())).isEmpty();
        assertThat(p.exitValue()).isZero();
        return stdout.get(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void helpPrintsTheUsageToStdoutAndExitsZeroWithoutStarting(String option) throws Exception {
        String help = answerOf(List.of(option));

        assertThat(help).startsWith("usage: java -jar token-proxy.jar [--config FILE]")
                .contains("import-codex-login").contains("TOKEN_PROXY_CONFIG").contains("--version")
                .doesNotContain("listening on");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--version", "-V"})
    void versionPrintsTheProjectVersionAndExitsZero(String option) throws Exception {
        assertThat(answerOf(List.of(option)).strip()).matches("token-proxy \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void anUnknownOptionIsOneLinePointingToHelpWithExitTwo() throws Exception {
        var p = launch(List.of("--verbose"), null);

        assertThat(p.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(readAll(p.getInputStream())).isEmpty();
        assertThat(readAll(p.getErrorStream()).strip()).isEqualTo("token-proxy: unknown option '--verbose' (see --help)");
    }

    @Test
    void anArgumentThatIsNoOptionIsRefusedWithoutEchoingIt() throws Exception {
        var p = launch(List.of("--config", "gateway.yaml", "sk-pasted-in-the-wrong-place"), null);

        assertThat(p.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(readAll(p.getErrorStream()).strip())
                .isEqualTo("token-proxy: unexpected argument of 28 characters, not shown (see --help)");
    }

    /** Starts the gateway with {@code yaml} and returns its base URL, once it printed its listening line. */
    private String startWith(String yaml) throws Exception {
        Path config = Files.writeString(folder.resolve("gateway.yaml"), yaml);
        var p = launch(List.of("--config", config.toString()), null);
        String line = firstLine(p.getInputStream());
        assertThat(line).matches("token-proxy listening on http://127\\.0\\.0\\.1:\\d+");
        return line.substring("token-proxy listening on ".length());
    }

    /** JDK 24+ warns on stderr when a library calls sun.misc.Unsafe (JEP 471); Guava and Guice did (ADR 0008). */
    @Test
    void aCleanStartAndStopPrintNoJdkWarning() throws Exception {
        try (var upstream = FakeOpenAiUpstream.start()) {
            upstream.defaultReply(Reply.ok("hello"));
            String baseUrl = startWith("""
                    listen: { host: 127.0.0.1, port: 0 }
                    upstreams:
                      - { id: only, provider: openai, base_url: "%s", api_keys: ["${UPSTREAM_KEY}"] }
                    """.formatted(upstream.baseUrl()));
            var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));

            var response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
                            .POST(HttpRequest.BodyPublishers.ofString(GatewayUnderTest.chatBody("m", true))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            process.toHandle().destroy();

            assertThat(process.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
            assertThat(stderr.get(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS).lines())
                    .isNotEmpty()
                    .noneMatch(line -> line.startsWith("WARNING:"))
                    .noneMatch(line -> line.contains("sun.misc.Unsafe"));
        }
    }

    @Test
    void anUpstreamThatCanNeverServeIsOneWarningLineAtStart() throws Exception {
        startWith("""
                listen: { host: 127.0.0.1, port: 0 }
                upstreams:
                  - { id: keyless, provider: openai, base_url: "https://api.openai.com/v1" }
                """);
        var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        process.toHandle().destroy();

        assertThat(process.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(stderr.get(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS).lines()
                .filter(line -> line.contains("upstreams[0] (keyless)")))
                .singleElement().asString().contains("WARNING").contains("needs api_keys");
    }

    @Test
    void requestsCutAtTheEndOfTheShutdownGraceGiveExitFourAndALineCountingThem() throws Exception {
        try (var upstream = FakeOpenAiUpstream.start()) {
            upstream.defaultReply(Reply.slowFirstToken(Duration.ofSeconds(20), "too late"));
            String baseUrl = startWith("""
                    listen: { host: 127.0.0.1, port: 0 }
                    shutdown_grace_seconds: 1
                    upstreams:
                      - { id: slow, provider: openai, base_url: "%s", api_keys: ["${UPSTREAM_KEY}"] }
                    """.formatted(upstream.baseUrl()));
            var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(GatewayUnderTest.chatBody("m", false))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(upstream.awaitRequestCount(1, PROCESS_WAIT)).isTrue();

            process.toHandle().destroy(); // SIGTERM

            assertThat(process.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(4);
            assertThat(stderr.get(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS).lines()
                    .filter(line -> line.startsWith("token-proxy:")))
                    .containsExactly("token-proxy: 1 request was still in flight when the shutdown grace period "
                            + "(shutdown_grace_seconds: 1) ended, and was cut");
        }
    }
}
