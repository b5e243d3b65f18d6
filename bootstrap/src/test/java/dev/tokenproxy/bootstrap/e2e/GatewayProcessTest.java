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
            assertThat(stderr.get(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS))
                    .contains("configuration: " + config).doesNotContain("sk-process-test-key");
        }
    }
}
