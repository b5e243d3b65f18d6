package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenproxy.bootstrap.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's first five minutes, as a process: {@code Main} with no configuration at all starts on the contract's
 * port with two mock upstreams, says so in its start line, and answers the first request from the second mock after
 * the first one failed.
 */
class EmbeddedDefaultProcessTest {

    private static final int CONTRACT_PORT = 9208;
    private static final Duration PROCESS_WAIT = Duration.ofSeconds(30);
    private static final Path JVM_SETTINGS = Path.of("src/main/jvm/token-proxy.jvm");

    @TempDir
    Path folder;

    private Process process;

    @AfterEach
    void stopProcess() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void withNoConfigTheFirstRequestIsAnsweredByTheSecondMockAfterTheFlakyOneFailed() throws Exception {
        // The embedded default's port is part of the contract, so the test uses it; someone else's gateway on it
        // is no reason to fail.
        assumeTrue(portIsFree(), "port " + CONTRACT_PORT + " is in use");
        // Started as the README starts it: with the JVM settings file that goes beside the jar.
        var command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + JVM_SETTINGS.toAbsolutePath(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName());
        var builder = new ProcessBuilder(command).directory(folder.toFile());
        builder.environment().remove("TOKEN_PROXY_CONFIG");
        process = builder.start();
        var stderr = CompletableFuture.supplyAsync(() -> readAll(process));

        String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(line).isEqualTo("token-proxy listening on http://127.0.0.1:" + CONTRACT_PORT);

        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + CONTRACT_PORT + "/v1/chat/completions"))
                .timeout(PROCESS_WAIT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("Hello from mock upstream mock-steady. You said: hello");
        // The failover is visible to the newcomer: in the headers and in the log.
        assertThat(response.headers().firstValue("x-token-proxy-upstream")).contains("mock-steady/keyless");
        assertThat(response.headers().firstValue("x-token-proxy-attempts")).contains("2");
        String id = response.headers().firstValue("x-request-id").orElseThrow();

        var models = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + CONTRACT_PORT + "/v1/models")).timeout(PROCESS_WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.body()).as("the embedded default lists what a first request can use")
                .contains("\"id\":\"gpt-4o-mini\"");

        process.toHandle().destroy(); // SIGTERM
        assertThat(process.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        String log = stderr.get(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS);
        // The heap the settings file asks for (the JVM reports a little less: one survivor space is not counted).
        var heap = Pattern.compile("heap up to (\\d+) MiB").matcher(log);
        assertThat(heap.find()).as("the start line names the heap: %s", log).isTrue();
        assertThat(Long.parseLong(heap.group(1))).isBetween(maxHeapMiB(JVM_SETTINGS) * 9 / 10,
                maxHeapMiB(JVM_SETTINGS));
        assertThat(log).doesNotContain("started without the JVM settings file");
        assertThat(log)
                .contains("starting with configuration: embedded default (two mock upstreams: mock-flaky fails "
                        + "every other request, mock-steady answers; pass --config FILE for real upstreams)")
                .contains("request " + id + ": attempt 1 via mock-flaky/keyless failed: server error (HTTP 503), "
                        + "cooling 1 s")
                .contains("request " + id + ": POST /v1/chat/completions model gpt-4o-mini via mock-steady/keyless, "
                        + "2 attempts, 200");
    }

    /** The {@code -Xmx} of the settings file, in MiB: what the gateway must report if the file was applied. */
    private static long maxHeapMiB(Path settings) throws IOException {
        String xmx = Files.readAllLines(settings).stream().map(String::strip).filter(line -> line.startsWith("-Xmx"))
                .findFirst().orElseThrow(() -> new AssertionError("no -Xmx in " + settings));
        assertThat(xmx).as("the test reads -Xmx in MiB").matches("-Xmx\\d+m");
        return Long.parseLong(xmx.substring(4, xmx.length() - 1));
    }

    private static boolean portIsFree() {
        try (var socket = new ServerSocket(CONTRACT_PORT, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static String readAll(Process process) {
        try {
            return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
