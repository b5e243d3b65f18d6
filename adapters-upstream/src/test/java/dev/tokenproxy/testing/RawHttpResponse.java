package dev.tokenproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A response read byte by byte off a raw socket, to see the framing that HTTP clients hide. */
final class RawHttpResponse {

    private final InputStream in;
    private final String head;

    /** Reads the head (status line and headers, up to the blank line). */
    RawHttpResponse(InputStream in) throws IOException {
        this.in = in;
        var bytes = new ByteArrayOutputStream();
        while (!bytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("end of stream inside the response head").isNotEqualTo(-1);
            bytes.write(b);
        }
        this.head = bytes.toString(StandardCharsets.ISO_8859_1);
    }

    String head() {
        return head;
    }

    /** The body framed by {@code Content-Length}, as bytes. */
    byte[] fixedBodyBytes() throws IOException {
        int length = head.lines().filter(line -> line.startsWith("Content-Length: "))
                .map(line -> Integer.parseInt(line.substring(16).trim())).findFirst().orElseThrow();
        return in.readNBytes(length);
    }

    String fixedBody() throws IOException {
        return new String(fixedBodyBytes(), StandardCharsets.UTF_8);
    }

    /** The next chunk of a chunked body as sent, or null at the last (empty) chunk. */
    String nextChunk() throws IOException {
        int size = Integer.parseInt(line(), 16);
        if (size == 0) {
            return null;
        }
        String chunk = new String(in.readNBytes(size), StandardCharsets.UTF_8);
        assertThat(line()).as("the CRLF after a chunk").isEmpty();
        return chunk;
    }

    /** The chunked body's chunks, each as sent, without the last (empty) chunk. */
    List<String> chunks() throws IOException {
        List<String> chunks = new ArrayList<>();
        for (String chunk = nextChunk(); chunk != null; chunk = nextChunk()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    private String line() throws IOException {
        var bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            assertThat(b).as("end of stream inside a line").isNotEqualTo(-1);
            bytes.write(b);
        }
        return bytes.toString(StandardCharsets.ISO_8859_1).stripTrailing();
    }
}
