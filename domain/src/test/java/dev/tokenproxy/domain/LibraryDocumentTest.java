package dev.tokenproxy.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/domain-as-a-library.md shows what the example service prints. The example's own test compares its output
 * with {@code expected-output.txt}; this one keeps the document's copy equal to that file, so neither can drift.
 */
class LibraryDocumentTest {

    private static final Path EXPECTED_OUTPUT = Path.of("../docs/examples/failover-service/expected-output.txt");
    private static final Pattern TRANSCRIPT = Pattern.compile(
            "<!-- failover-service-output:begin -->\\s*```text\\n(.*?)```\\s*<!-- failover-service-output:end -->",
            Pattern.DOTALL);

    @Test
    void documentShowsTheExampleOutputItsTestExpects() throws IOException {
        var section = TRANSCRIPT.matcher(Files.readString(DomainApiTest.LIBRARY_DOC));
        assertThat(section.find()).as("a failover-service-output section in the document").isTrue();

        List<String> shown = section.group(1).lines().toList();

        assertThat(shown).isNotEmpty().isEqualTo(Files.readAllLines(EXPECTED_OUTPUT));
    }
}
