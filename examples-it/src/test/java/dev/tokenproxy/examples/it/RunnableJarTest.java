package dev.tokenproxy.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
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
     * Jackson's {@code ObjectMapper} loads and sets up some 300 classes, ~0.1 s of a start on two cores; the start
     * reads its configuration with Jackson's parser alone and builds no mapper, which only trees need (the admin API,
     * Messages requests, model lists), at their first use.
     */
    @Test
    void aStartBuildsNoObjectMapper() throws Exception {
        Path config = config();
        Path initialised = folder.resolve("class-init.log");
        var command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + GatewayProcess.jvmSettings(jar), "-Xlog:class+init=info:file=" + initialised,
                "-jar", jar.toString(), "--config", config.toString());
        try (var gateway = GatewayProcess.startCommand(command, config, Map.of())) {
            assertThat(Files.readString(initialised))
                    .as("the classes the start initialised")
                    .contains("Initializing 'dev/tokenproxy/bootstrap/Main'")
                    .contains("Initializing 'com/fasterxml/jackson/core/JsonFactory'")
                    .doesNotContain("Initializing 'com/fasterxml/jackson/databind/ObjectMapper'");
        }
    }

    /**
     * SQLite's driver copies its native library out of its jar into the temporary folder at every start (under a new
     * name, then reads both copies to compare them): ~0.1 s of a start's CPU. The gateway copies it once into the data
     * folder, and later starts load that copy.
     */
    @Test
    void sqlitesNativeLibraryIsCopiedOnceIntoTheDataFolderAndLoadedFromThere() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "reads which files the process mapped from /proc");
        Path config = config();
        Path temporary = Files.createDirectories(folder.resolve("tmp"));
        var command = documentedStartWithTemporaryFolder(config, temporary);
        Path kept;
        try (var first = GatewayProcess.startCommand(command, config, Map.of())) {
            kept = onlyFileIn(folder.resolve("data/native")).toRealPath();
            assertThat(Files.readString(Path.of("/proc", String.valueOf(first.pid()), "maps"))).contains(kept.toString());
        }
        var marked = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(kept, marked);

        try (var second = GatewayProcess.startCommand(command, config, Map.of())) {
            assertThat(Files.readString(Path.of("/proc", String.valueOf(second.pid()), "maps")))
                    .contains(kept.toString());
        }

        assertThat(Files.getLastModifiedTime(kept)).as("the kept copy, not written again").isEqualTo(marked);
        try (var files = Files.list(temporary)) {
            assertThat(files.map(file -> file.getFileName().toString())).noneMatch(name -> name.startsWith("sqlite-"));
        }
    }

    /**
     * A kept copy that cannot be loaded (here one whose bytes were spoilt; in service a {@code data_dir} mounted
     * {@code noexec}) must not stop the start: the driver is then left to copy its library into the temporary folder.
     */
    @Test
    void aKeptSqliteLibraryThatCannotBeLoadedLeavesTheDriverToItsOwnCopy() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "reads which files the process mapped from /proc");
        Path config = config();
        Path temporary = Files.createDirectories(folder.resolve("tmp"));
        var command = documentedStartWithTemporaryFolder(config, temporary);
        try (var first = GatewayProcess.startCommand(command, config, Map.of())) {
            // Only made here.
        }
        Path kept = onlyFileIn(folder.resolve("data/native"));
        Files.write(kept, new byte[(int) Files.size(kept)]);

        try (var second = GatewayProcess.startCommand(command, config, Map.of())) {
            String maps = Files.readString(Path.of("/proc", String.valueOf(second.pid()), "maps"));
            assertThat(maps).doesNotContain(kept.toRealPath().toString()).contains(temporary.toRealPath() + "/sqlite-");
            assertThat(second.stderr()).doesNotContain("SEVERE");
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

    /**
     * A start loads some 3,000 classes from the jar; inflating them was ~9% of a plain start's time. The build stores
     * the classes and leaves everything else deflated (SQLite's native libraries are most of the rest), and keeps the
     * manifest first, where {@link java.util.jar.JarInputStream} looks for it.
     */
    @Test
    void theJarStoresItsClassesAndDeflatesTheRest() throws IOException {
        try (var zip = new JarFile(jar.toFile())) {
            List<JarEntry> files = zip.stream().filter(entry -> !entry.isDirectory()).toList();
            assertThat(files).filteredOn(entry -> entry.getName().endsWith(".class")).hasSizeGreaterThan(1_000)
                    .allSatisfy(entry -> assertThat(entry.getMethod()).as(entry.getName()).isEqualTo(ZipEntry.STORED));
            assertThat(files).filteredOn(entry -> entry.getName().startsWith("org/sqlite/native/"))
                    .isNotEmpty()
                    .allSatisfy(entry -> assertThat(entry.getMethod()).as(entry.getName()).isEqualTo(ZipEntry.DEFLATED));
            assertThat(zip.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("dev.tokenproxy.bootstrap.Main");
        }
        try (var stream = new JarInputStream(Files.newInputStream(jar))) {
            assertThat(stream.getManifest()).as("the manifest, read as the first entries").isNotNull();
        }
    }

    /** {@code java @token-proxy.jvm -jar ...}, with the JVM's temporary folder (where SQLite's driver copies to). */
    private static List<String> documentedStartWithTemporaryFolder(Path config, Path temporary) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + GatewayProcess.jvmSettings(jar), "-Djava.io.tmpdir=" + temporary,
                "-jar", jar.toString(), "--config", config.toString());
    }

    private static Path onlyFileIn(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            List<Path> all = files.toList();
            assertThat(all).as("files in %s", folder).hasSize(1);
            return all.getFirst();
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
