package dev.tokenproxy.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bash .ci/gateway}, the README's first command, keeps a start-up cache beside the jar: a training start after
 * each build writes it, and every later start maps it. The script runs from a copy of the checkout's layout (its two
 * scripts, the built jar and settings file, poms older than the jar) so that it never rebuilds or touches the
 * checkout's own {@code target}.
 */
class GatewayScriptStartUpCacheTest {

    private static final String TRAINING = "preparing the start-up cache";

    @TempDir
    Path checkout;

    private Path jar;
    private Path cache;

    @BeforeEach
    void copyTheCheckoutLayout() throws IOException {
        Path built = ExampleBuild.fromSystemProperties().gatewayJar();
        Path root = ExampleBuild.fromSystemProperties().root();
        Path target = Files.createDirectories(checkout.resolve("bootstrap/target"));
        Files.createDirectories(checkout.resolve(".ci"));
        Files.createDirectories(checkout.resolve("bootstrap/src/main"));
        for (String script : List.of(".ci/gateway", ".ci/with-jdk")) {
            Files.copy(root.resolve(script), checkout.resolve(script));
        }
        Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        Files.writeString(checkout.resolve("bootstrap/pom.xml"), "<project/>");
        jar = Files.copy(built, target.resolve("token-proxy.jar"));
        Files.copy(GatewayProcess.jvmSettings(built), target.resolve("token-proxy.jvm"));
        FileTime anHourAgo = FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS));
        for (String source : List.of("pom.xml", "bootstrap/pom.xml", "bootstrap/src/main")) {
            Files.setLastModifiedTime(checkout.resolve(source), anHourAgo);
        }
        // The script picks the JDK 25 cache or the older JDKs' archive by the JDK it runs on: this test's.
        cache = target.resolve(Runtime.version().feature() >= 25 ? "token-proxy.aot" : "token-proxy.jsa");
    }

    @Test
    void theFirstStartAfterABuildTrainsTheCacheAndEveryStartMapsIt() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "the test reads /proc/PID/maps (Linux)");

        try (var first = start("first")) {
            assertThat(first.stderr()).contains(TRAINING);
            assertThat(cache).isRegularFile();
            assertThat(mappedFiles(first)).contains(cache.toString());
        }
        try (var second = start("second")) {
            assertThat(second.stderr()).doesNotContain(TRAINING).doesNotContain("[warning]").doesNotContain("[error");
            assertThat(mappedFiles(second)).contains(cache.toString());
        }
    }

    @Test
    void aJarNewerThanTheCacheIsTrainedAgain() throws Exception {
        try (var first = start("first")) {
            assertThat(first.stderr()).contains(TRAINING);
        }
        // As after a rebuild: the jar is newer than the cache made from its predecessor.
        Files.setLastModifiedTime(cache, FileTime.from(Files.getLastModifiedTime(jar).toInstant().minusSeconds(60)));

        try (var rebuilt = start("rebuilt")) {
            assertThat(rebuilt.stderr()).contains(TRAINING).doesNotContain("[warning]").doesNotContain("[error");
            assertThat(Files.getLastModifiedTime(cache)).isGreaterThan(Files.getLastModifiedTime(jar));
        }
    }

    @Test
    void versionAndHelpRunWithoutTrainingACache() throws Exception {
        for (String option : List.of("--version", "--help")) {
            var process = new ProcessBuilder("bash", checkout.resolve(".ci/gateway").toString(), option)
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output).doesNotContain(TRAINING);
        }
        assertThat(cache).doesNotExist();
    }

    private GatewayProcess start(String name) throws IOException, InterruptedException {
        Path config = Files.writeString(checkout.resolve(name + ".yaml"), """
                listen: { host: 127.0.0.1, port: 0 }
                data_dir: %s
                upstreams:
                  - { id: steady, provider: mock }
                """.formatted(checkout.resolve(name + "-data")));
        return GatewayProcess.startCommand(
                List.of("bash", checkout.resolve(".ci/gateway").toString(), "--config", config.toString()), config,
                Map.of("JAVA_HOME", System.getProperty("java.home")));
    }

    /** The files the gateway's JVM has mapped into memory: a cache in use is one of them. */
    private static List<String> mappedFiles(GatewayProcess gateway) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(gateway.pid()), "maps")).stream()
                .map(line -> line.split("\\s+", 6)).filter(fields -> fields.length == 6)
                .map(fields -> fields[5].strip()).distinct().toList();
    }
}
