package dev.tokenproxy.adapter.in.http.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webserver.WebServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A body read straight from the socket (ADR 0019), through Helidon's own server behind the guard: the route reads
 * with {@link SocketBody} and answers with what it got, so each answer shows whether the socket path took the body,
 * how much of it, and whether Helidon then saw its entity as complete.
 */
class SocketBodyTest {

    private ConnectionGuard guard;
    private WebServer server;

    @BeforeEach
    void start() {
        guard = new ConnectionGuard(new ConnectionLimits(10, Duration.ofSeconds(20), Duration.ofSeconds(20),
                Duration.ofSeconds(20)), Clock.systemUTC());
        var builder = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(routing -> routing.post("/body", (req, res) -> {
                    int length = (int) req.headers().contentLength().orElseThrow();
                    byte[] into = new byte[length];
                    InputStream entity = req.content().inputStream();
                    int read = SocketBody.read(entity, into, length);
                    boolean ended = read == length && entity.read() == -1;
                    res.send(read + " " + ended + " " + Arrays.hashCode(into));
                }));
        guard.configure(builder);
        server = builder.build().start();
    }

    @AfterEach
    void stop() {
        server.stop();
        guard.close();
    }

    @Test
    void thisHelidonsEntityCountIsFound() {
        assertThat(SocketBody.available()).as("without it every body goes through Helidon's reader").isTrue();
    }

    /**
     * Both requests in one write: the first body's end and the second request's head reach the socket together, so a
     * read that went past the first body's end would take the second request with it.
     */
    @Test
    void twoLargeBodiesSentInOneWriteAreEachReadWholeAndTheConnectionServesBoth() throws IOException {
        byte[] first = body(300_000, 'a');
        byte[] second = body(200_000, 'b');
        try (var client = connect()) {
            var out = new ByteArrayOutputStream();
            out.write(request(first));
            out.write(request(second));
            client.getOutputStream().write(out.toByteArray());

            assertThat(readAnswer(client)).isEqualTo(first.length + " true " + Arrays.hashCode(first));
            assertThat(readAnswer(client)).isEqualTo(second.length + " true " + Arrays.hashCode(second));
        }
    }

    @Test
    void aBodyWhoseHeadCameWithTheHeadersAndWhoseRestCameAfterIsReadWhole() throws IOException {
        byte[] body = body(150_000, 'c');
        byte[] request = request(body);
        int split = request.length - body.length + 20_000;
        try (var client = connect()) {
            client.getOutputStream().write(request, 0, split);
            client.getOutputStream().flush();
            client.getOutputStream().write(request, split, request.length - split);

            assertThat(readAnswer(client)).isEqualTo(body.length + " true " + Arrays.hashCode(body));
            // Helidon counted the bytes read past its reader: the same connection takes the next request.
            byte[] next = body(70_000, 'd');
            client.getOutputStream().write(request(next));
            assertThat(readAnswer(client)).isEqualTo(next.length + " true " + Arrays.hashCode(next));
        }
    }

    @Test
    void aBodyTheClientEndsEarlyReportsWhatArrived() throws IOException {
        byte[] body = body(100_000, 'e');
        byte[] request = request(body);
        try (var client = connect()) {
            client.getOutputStream().write(request, 0, request.length - 40_000);
            client.shutdownOutput();

            assertThat(readAnswer(client)).startsWith((body.length - 40_000) + " false ");
        }
    }

    private Socket connect() throws IOException {
        var socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static byte[] body(int size, char fill) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) fill);
        body[0] = '<';
        body[size - 1] = '>';
        return body;
    }

    private static byte[] request(byte[] body) throws IOException {
        var out = new ByteArrayOutputStream();
        out.write(("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        return out.toByteArray();
    }

    /** Reads one answer, which has a Content-Length, and returns its body. */
    private static String readAnswer(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        var head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("an answer before the connection ended: " + head).isNotEqualTo(-1);
            head.append((char) b);
        }
        int length = Integer.parseInt(head.toString().lines()
                .filter(line -> line.toLowerCase().startsWith("content-length:"))
                .findFirst().orElseThrow().substring("content-length:".length()).trim());
        return new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
}
