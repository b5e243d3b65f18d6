package dev.tokenproxy.examples.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The real gateway jar ({@code java @token-proxy.jvm -jar token-proxy.jar --config FILE}) as a child process, the way
 * an operator starts it: nothing of this test's class path reaches it, so a provider it serves came from its own jar or plugins_dir.
 */
final class GatewayProcess implements AutoCloseable {

    /** A cold JVM on two busy cores starts the gateway in a few seconds; a minute means it will not. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String LISTENING = "token-proxy listening on ";

    private final Process process;
    private final Path stderr;
    private final String baseUrl;

    private GatewayProcess(Process process, Path stderr, String baseUrl) {
        this.process = process;
        this.stderr = stderr;
        this.baseUrl = baseUrl;
    }

    /** Starts the gateway and waits for its listening line; fails with its stderr when it exits or stays silent. */
    static GatewayProcess start(Path gatewayJar, Path config) throws IOException, InterruptedException {
        return start(gatewayJar, config, true);
    }

    /**
     * @param withJvmSettings {@code java @token-proxy.jvm -jar ...} as documented, with the JVM settings file the
     *                        build puts beside the jar; false: a plain {@code java -jar ...}
     */
    static GatewayProcess start(Path gatewayJar, Path config, boolean withJvmSettings)
            throws IOException, InterruptedException {
        return awaitListening(launch(gatewayJar, config, withJvmSettings), config);
    }

    /**
     * Runs {@code command} (a script that ends by running the gateway with {@code --config config}) and waits for the
     * listening line, as {@link #start(Path, Path)} does.
     */
    static GatewayProcess startCommand(List<String> command, Path config, Map<String, String> environment)
            throws IOException, InterruptedException {
        return awaitListening(run(command, config, environment), config);
    }

    private static GatewayProcess awaitListening(Process process, Path config)
            throws IOException, InterruptedException {
        Path stderr = stderrOf(config);
        var line = CompletableFuture.supplyAsync(() -> firstLine(process));
        String first;
        try {
            first = line.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the gateway did not print its listening line:\n" + Files.readString(stderr), e);
        }
        if (first == null || !first.startsWith(LISTENING)) {
            process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the gateway did not start (stdout: " + first + "):\n" + Files.readString(stderr));
        }
        return new GatewayProcess(process, stderr, first.substring(LISTENING.length()).strip());
    }

    /**
     * Runs the gateway with a configuration it must refuse.
     *
     * @return its exit code and its stderr
     */
    static Refusal refused(Path gatewayJar, Path config) throws IOException, InterruptedException {
        Process process = launch(gatewayJar, config, true);
        if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the gateway started with a configuration it should refuse");
        }
        return new Refusal(process.exitValue(), Files.readString(stderrOf(config)),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** What a refused start left: the exit code, stderr and stdout. */
    record Refusal(int exitCode, String stderr, String stdout) {
    }

    private static Process launch(Path gatewayJar, Path config, boolean withJvmSettings) throws IOException {
        var command = new ArrayList<String>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (withJvmSettings) {
            command.add("@" + jvmSettings(gatewayJar));
        }
        command.addAll(List.of("-jar", gatewayJar.toString(), "--config", config.toString()));
        return run(command, config, Map.of());
    }

    /** Runs {@code command} in the config's folder, stderr to a file beside it, without {@code TOKEN_PROXY_CONFIG}. */
    private static Process run(List<String> command, Path config, Map<String, String> environment) throws IOException {
        var builder = new ProcessBuilder(command).directory(config.getParent().toFile())
                .redirectError(stderrOf(config).toFile());
        builder.environment().remove("TOKEN_PROXY_CONFIG");
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** The JVM settings file the build puts beside the jar ({@code token-proxy.jvm}). */
    static Path jvmSettings(Path gatewayJar) {
        Path settings = gatewayJar.resolveSibling("token-proxy.jvm");
        if (!Files.isRegularFile(settings)) {
            throw new IllegalStateException(settings + " is missing: bootstrap's package phase puts it beside the jar");
        }
        return settings;
    }

    private static Path stderrOf(Path config) {
        return config.resolveSibling(config.getFileName() + ".stderr");
    }

    private static String firstLine(Process process) {
        try {
            return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process id: the JVM's, when a script started it with {@code exec}. */
    long pid() {
        return process.pid();
    }

    /** {@code http://127.0.0.1:PORT}. */
    String baseUrl() {
        return baseUrl;
    }

    /** What the gateway logged so far. */
    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM, then at most 30 s for the drain before the process is killed. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
