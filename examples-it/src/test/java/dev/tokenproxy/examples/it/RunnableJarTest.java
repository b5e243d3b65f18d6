package dev.tokenproxy.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar and the settings file that the build packages, as an operator runs them. */
class RunnableJarTest {

    private static Path jar;

    @TempDir
    Path folder;

    @BeforeAll
    static void findTheJar() {
        jar = ExampleBuild.fromSystemProperties().gatewayJar();
    }

    @Test
    void startedAsDocumentedTheGatewayRunsOnTheHeapOfTheSettingsFileWithoutAWarning() throws Exception {
        try (var gateway = GatewayProcess.start(jar, config(), true)) {
            String log = gateway.stderr();
            long xmx = xmxMiB(GatewayProcess.jvmSettings(jar));
            // The JVM reports a little less than -Xmx: one survivor space is not counted.
            assertThat(heapMiB(log)).isBetween(xmx * 9 / 10, xmx);
            assertThat(log).doesNotContain("started without the JVM settings file");
        }
    }

    @Test
    void aPlainJavaJarRunsAndSaysWhichSettingsFileItLacks() throws Exception {
        try (var gateway = GatewayProcess.start(jar, config(), false)) {
            assertThat(gateway.stderr()).contains("WARNING dev.tokenproxy.bootstrap.Main - started without the JVM "
                    + "settings file (java @token-proxy.jvm -jar token-proxy.jar)");
        }
    }

    /**
     * Helidon finds its modules' metadata (services, features) through the manifests that list them. The shaded jar
     * must hold all of them appended: with one module's manifest only, Helidon opens the whole jar as a zip file
     * system at every start to look, which cost a large part of the start-up.
     */
    @Test
    void helidonsMergedManifestListsEveryMetadataFileTheJarHolds() throws IOException {
        try (var zip = new JarFile(jar.toFile())) {
            List<String> metadata = zip.stream().map(ZipEntry::getName)
                    .filter(name -> name.matches("META-INF/helidon/[^/]+/[^/]+")).sorted().toList();
            List<String> listed = new String(zip.getInputStream(zip.getEntry("META-INF/helidon/manifest"))
                    .readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).sorted().toList();

            assertThat(metadata).as("Helidon metadata files in the jar").hasSizeGreaterThan(10);
            assertThat(listed).containsAll(metadata);
        }
    }

    private Path config() throws IOException {
        return Files.writeString(folder.resolve("token-proxy.yaml"), """
                listen: { host: 127.0.0.1, port: 0 }
                data_dir: %s
                upstreams:
                  - { id: steady, provider: mock }
                """.formatted(folder.resolve("data")));
    }

    private static long heapMiB(String log) {
        var heap = Pattern.compile("heap up to (\\d+) MiB").matcher(log);
        assertThat(heap.find()).as("the start line names the heap: %s", log).isTrue();
        return Long.parseLong(heap.group(1));
    }

    private static long xmxMiB(Path settings) throws IOException {
        String xmx = Files.readAllLines(settings).stream().map(String::strip).filter(line -> line.startsWith("-Xmx"))
                .findFirst().orElseThrow(() -> new AssertionError("no -Xmx in " + settings));
        assertThat(xmx).as("the test reads -Xmx in MiB").matches("-Xmx\\d+m");
        return Long.parseLong(xmx.substring(4, xmx.length() - 1));
    }
}
