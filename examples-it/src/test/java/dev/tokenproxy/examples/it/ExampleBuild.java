package dev.tokenproxy.examples.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds a stand-alone example project under {@code docs/examples} the way its reader would, with Maven, but offline
 * and against the jars this very build made: {@link #installPublishedJars()} puts the parent pom and the freshly
 * packaged {@code domain} and {@code application} jars into the outer build's local repository (the outer build only
 * runs {@code verify}, so nothing else does), and {@link #build} runs {@code mvn -o -B -q package} on a copy of the
 * project. Where things are comes from the surefire system properties in this module's pom.
 *
 * <pre>
 * var maven = ExampleBuild.fromSystemProperties();
 * maven.installPublishedJars();
 * Path target = maven.build(maven.example("relay-provider"), work);
 * </pre>
 */
public final class ExampleBuild {

    /** A cold nested Maven on two busy cores takes about 15 s; far more means it hangs. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(4);

    private final Path root;
    private final String version;
    private final Path localRepository;
    private final Path mavenHome;

    public ExampleBuild(Path root, String version, Path localRepository, Path mavenHome) {
        this.root = root.toAbsolutePath().normalize();
        this.version = Objects.requireNonNull(version, "version");
        this.localRepository = localRepository.toAbsolutePath().normalize();
        this.mavenHome = mavenHome.toAbsolutePath().normalize();
    }

    /** From {@code tokenproxy.root}, {@code tokenproxy.version}, {@code tokenproxy.localRepository} and {@code tokenproxy.mavenHome}. */
    public static ExampleBuild fromSystemProperties() {
        return new ExampleBuild(Path.of(required("tokenproxy.root")), required("tokenproxy.version"),
                Path.of(required("tokenproxy.localRepository")), Path.of(required("tokenproxy.mavenHome")));
    }

    /** The repository's root folder. */
    public Path root() {
        return root;
    }

    /** {@code docs/examples/name}. */
    public Path example(String name) {
        return root.resolve("docs/examples").resolve(name);
    }

    /** The runnable gateway jar bootstrap packaged: {@code bootstrap/target/token-proxy.jar}. */
    public Path gatewayJar() {
        Path jar = root.resolve("bootstrap/target/token-proxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run this module through the reactor (mvn verify), "
                    + "which packages bootstrap first");
        }
        return jar;
    }

    /**
     * The jar this build packaged for {@code module} ({@code domain}, {@code application}): what an example that is
     * run rather than loaded by the gateway puts on its class path beside its own classes.
     */
    public Path publishedJar(String module) {
        Path jar = root.resolve(module).resolve("target").resolve(module + "-" + version + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the reactor packages " + module + " before this");
        }
        return jar;
    }

    /**
     * Makes {@code dev.tokenproxy:token-proxy} (the parent pom), {@code domain} and {@code application} at this build's
     * version resolvable from the local repository, as {@code mvn install} would, by writing the files where Maven
     * looks for them. Each file is written beside its place and moved in, so a concurrent reader sees the old or the
     * new file, never half of one.
     */
    public void installPublishedJars() {
        install("token-proxy", root.resolve("pom.xml"), null);
        for (String module : List.of("domain", "application")) {
            install(module, root.resolve(module).resolve("pom.xml"), publishedJar(module));
        }
    }

    /**
     * Copies {@code project} (without its {@code target}) into {@code work} and runs {@code mvn -o -B -q package} there.
     *
     * @return the copy's {@code target} folder
     * @throws AssertionError with Maven's output when the build fails or takes longer than a few minutes
     */
    public Path build(Path project, Path work) {
        Path copy = work.resolve(project.getFileName());
        copyTree(project, copy);
        Path log = work.resolve(project.getFileName() + "-maven.log");
        var command = List.of(mavenHome.resolve("bin/mvn").toString(), "-o", "-B", "-q", "-ntp",
                "-Dmaven.repo.local=" + localRepository, "package");
        try {
            var builder = new ProcessBuilder(command).directory(copy.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // The JDK this test runs on, which the outer build chose (21+).
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().remove("MAVEN_OPTS");
            Process maven = builder.start();
            if (!maven.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                maven.destroyForcibly();
                throw new AssertionError("nested Maven build of " + project + " took longer than " + BUILD_TIMEOUT
                        + ":\n" + Files.readString(log));
            }
            if (maven.exitValue() != 0) {
                throw new AssertionError("nested Maven build of " + project + " failed (" + String.join(" ", command)
                        + "):\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while building " + project, e);
        }
        return copy.resolve("target");
    }

    private void install(String artifactId, Path pom, Path jar) {
        Path folder = localRepository.resolve("dev/tokenproxy").resolve(artifactId).resolve(version);
        String base = artifactId + "-" + version;
        place(pom, folder.resolve(base + ".pom"));
        if (jar != null) {
            place(jar, folder.resolve(base + ".jar"));
        }
    }

    private static void place(Path source, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
            Files.copy(source, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path path : walk.toList()) {
                Path relative = from.relativize(path);
                if (relative.startsWith("target")) {
                    continue;
                }
                Path destination = to.resolve(relative.toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(path, destination, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run through Maven, whose "
                    + "examples-it/pom.xml sets it");
        }
        return value;
    }
}
