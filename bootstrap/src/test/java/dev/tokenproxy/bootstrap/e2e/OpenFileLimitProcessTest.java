package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenproxy.bootstrap.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway process against the open-file limit, the way the attack found it: a client opening connections
 * until the process has no descriptor left. The listener must survive that; and should it die anyway, the process
 * must not live on without it.
 */
class OpenFileLimitProcessTest {

    private static final Duration PROCESS_WAIT = Duration.ofSeconds(30);
    private static final String CONFIG = "listen: { host: 127.0.0.1, port: 0 }\n";

    @TempDir
    Path folder;

    private Process process;
    private final List<Socket> flood = new ArrayList<>();

    @AfterEach
    void stop() {
        flood.forEach(OpenFileLimitProcessTest::closeQuietly);
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** Main with this JVM's JDK and test classpath, under {@code ulimit -n openFiles} when given. */
    private Process launch(Integer openFiles) throws IOException {
        var command = new ArrayList<String>();
        if (openFiles != null) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$0\" \"$@\""));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--config", Files.writeString(folder.resolve("gateway.yaml"), CONFIG).toString()));
        var builder = new ProcessBuilder(command);
        builder.environment().remove("TOKEN_PROXY_CONFIG");
        process = builder.start();
        return process;
    }

    private static int listeningPort(Process p) throws IOException {
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).as("the listening line").matches("token-proxy listening on http://127\\.0\\.0\\.1:\\d+");
        return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Connections that are opened and then never used: the attack. */
    private void openIdleConnections(int port, int count) {
        for (int i = 0; i < count; i++) {
            try {
                flood.add(new Socket("127.0.0.1", port));
            } catch (IOException e) {
                return; // the listener is gone: nothing accepts any more
            }
        }
    }

    /** {@code GET /health} on a fresh connection: the status line, or why there was none. */
    private static String health(int port) {
        try (var socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return status == null ? "closed without a response" : status;
        } catch (SocketTimeoutException e) {
            return "no response within 10 s";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static long openDescriptors(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // a test socket that will not close: nothing to do
        }
    }

    @Test
    void aFloodOfIdleConnectionsPastTheOpenFileLimitLeavesTheListenerServing() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux");
        // 512 descriptors leave room for (512 - 256) / 2 = 128 connections by default.
        var p = launch(512);
        var stderr = drain(p.getErrorStream());
        int port = listeningPort(p);

        for (int wave = 1; wave <= 8; wave++) {
            openIdleConnections(port, 128);
            assertThat(health(port)).as("after " + wave * 128 + " idle connections").isEqualTo("HTTP/1.1 200 OK");
        }
        flood.forEach(OpenFileLimitProcessTest::closeQuietly);

        assertThat(health(port)).as("after the attacker left").isEqualTo("HTTP/1.1 200 OK");
        assertThat(p.isAlive()).isTrue();
        p.toHandle().destroy();
        assertThat(p.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(stderr.get(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS))
                .contains("accepting at most 128 connections (open-file limit 512)")
                .doesNotContain("terminating now").doesNotContain("Too many open files");
    }

    @Test
    void aListenerThatStopsAcceptingMakesTheProcessExitNonZeroWithOneLine() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux)");
        var p = launch(null);
        var stderr = drain(p.getErrorStream());
        int port = listeningPort(p);

        // Take the descriptors away behind the guard's back (as a leak elsewhere would): accept() gets EMFILE.
        long limit = openDescriptors(p.pid()) + 16;
        var prlimit = new ProcessBuilder("/usr/bin/prlimit", "--pid", Long.toString(p.pid()),
                "--nofile=" + limit + ":" + limit).inheritIO().start();
        assertThat(prlimit.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS) && prlimit.exitValue() == 0).isTrue();
        openIdleConnections(port, 200);

        assertThat(p.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)).as("the process exits").isTrue();
        assertThat(p.exitValue()).isEqualTo(3);
        assertThat(stderr.get(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS).lines()
                .filter(line -> line.startsWith("token-proxy:")))
                .containsExactly("token-proxy: stopped accepting connections (accept() failed: Too many open "
                        + "files); exiting so that it can be restarted");
    }
}
