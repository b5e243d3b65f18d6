package dev.tokenproxy.examples.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ScriptedFailoverTest {

    /** The transcript docs/domain-as-a-library.md shows; the Token Proxy build checks the document against it. */
    private static final Path EXPECTED = Path.of("expected-output.txt");

    @Test
    void printsTheDocumentedTranscript() throws IOException {
        assertEquals(Files.readAllLines(EXPECTED), ScriptedFailover.transcript());
    }
}
