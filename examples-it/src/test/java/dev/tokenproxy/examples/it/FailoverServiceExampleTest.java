package dev.tokenproxy.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/examples/failover-service, a service of its own that depends only on the published domain jar, built by Maven
 * on its own (its own tests included) and run: its scripted sequence of attempt outcomes gets exactly the failover
 * decisions docs/domain-as-a-library.md walks through.
 */
class FailoverServiceExampleTest {

    @TempDir
    Path work;

    @Test
    void theExampleBuiltAgainstThePublishedDomainJarDecidesTheDocumentedFailovers() throws Exception {
        var maven = ExampleBuild.fromSystemProperties();
        maven.installPublishedJars();
        Path example = maven.example("failover-service");

        Path target = maven.build(example, work);

        assertThat(ranTests(target.resolve("surefire-reports"))).as("the example's own tests ran").isPositive();
        String classPath = target.resolve("failover-service-0.1.0-SNAPSHOT.jar") + File.pathSeparator
                + maven.publishedJar("domain");
        var run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "dev.tokenproxy.examples.failover.ScriptedFailover")
                .redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output.lines().toList())
                .isEqualTo(Files.readAllLines(example.resolve("expected-output.txt")))
                .anyMatch(line -> line.contains("-> NextCredential(b)"))
                .anyMatch(line -> line.contains("-> SkipUpstream("));
    }

    /** Tests the nested build's surefire ran, summed over its reports. */
    private static int ranTests(Path reports) throws IOException {
        if (!Files.isDirectory(reports)) {
            return 0;
        }
        int total = 0;
        try (Stream<Path> files = Files.list(reports)) {
            for (Path report : files.filter(f -> f.getFileName().toString().endsWith(".txt")).toList()) {
                for (String line : Files.readAllLines(report)) {
                    var matcher = java.util.regex.Pattern.compile("Tests run: (\\d+)").matcher(line);
                    if (matcher.find()) {
                        total += Integer.parseInt(matcher.group(1));
                    }
                }
            }
        }
        return total;
    }
}
