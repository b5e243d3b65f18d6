package dev.tokenproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ScriptedHttpServerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ScriptedHttpServer server;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sendsSseEventsWithAndWithoutEventLinesExactlyAsWrittenOneChunkEach() throws Exception {
        server = ScriptedHttpServer.start(request -> out -> {
            out.startEventStream();
            out.sendEvent("response.created", "{\"type\":\"response.created\",\"sequence_number\":0}");
            out.sendEvent("{\"plain\":true}");
            out.sendEvent("multi", "line one\nline two");
            out.sendComment("keep-alive");
            out.endEventStream();
        });

        try (var socket = connect()) {
            send(socket, get("/events"));
            var response = new RawHttpResponse(socket.getInputStream());

            assertThat(response.head()).startsWith("HTTP/1.1 200 ")
                    .contains("Content-Type: text/event-stream\r\n", "Transfer-Encoding: chunked\r\n");
            assertThat(response.chunks()).containsExactly(
                    "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0}\n\n",
                    "data: {\"plain\":true}\n\n",
                    "event: multi\ndata: line one\ndata: line two\n\n",
                    ": keep-alive\n\n");
        }
    }

    @Test
    void sendsBinaryBodiesByteExactWholeAndChunked() throws Exception {
        byte[] everyByte = new byte[1024];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        server = ScriptedHttpServer.start(request -> out -> {
            if (request.path().equals("/whole")) {
                out.send(200, "application/octet-stream", everyByte);
            } else {
                out.startChunked(200, "application/vnd.amazon.eventstream");
                out.sendChunk(Arrays.copyOfRange(everyByte, 0, 300));
                out.sendChunk(Arrays.copyOfRange(everyByte, 300, everyByte.length));
                out.endChunked();
            }
        });

        HttpResponse<byte[]> whole = client.send(HttpRequest.newBuilder(URI.create(server.url("/whole"))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> chunked = client.send(HttpRequest.newBuilder(URI.create(server.url("/chunked"))).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(whole.body()).isEqualTo(everyByte);
        assertThat(whole.headers().firstValue("content-type")).hasValue("application/octet-stream");
        assertThat(chunked.body()).isEqualTo(everyByte);
        assertThat(chunked.headers().firstValue("content-type")).hasValue("application/vnd.amazon.eventstream");
    }

    @Test
    void aResetReachesTheClientAsAConnectionResetNotAnEndOfStream() throws Exception {
        server = ScriptedHttpServer.start(request -> ResponseWriter::reset);

        try (var socket = connect()) {
            send(socket, get("/reset"));

            assertThatThrownBy(() -> socket.getInputStream().read())
                    .isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
        assertThat(server.awaitRequestCount(1, WAIT)).isTrue();
        assertThat(server.abandonedConnections()).as("the server left, not the client").isZero();
    }

    @Test
    void aHoldReleasesWhenTheClientLeavesAndCountsTheConnectionAbandoned() throws Exception {
        server = ScriptedHttpServer.start(request -> out -> {
            out.startEventStream();
            out.sendEvent("first", "{}");
            out.holdUntilClientLeaves();
        });

        try (var socket = connect()) {
            send(socket, get("/stall"));
            var response = new RawHttpResponse(socket.getInputStream());
            assertThat(response.nextChunk()).isEqualTo("event: first\ndata: {}\n\n");
            assertThat(server.abandonedConnections()).isZero();
        }

        assertThat(server.awaitAbandonedConnections(1, WAIT)).isTrue();
    }

    @Test
    void aPauseEndsAsSoonAsTheClientLeaves() throws Exception {
        // Far longer than the test's timeout: only the client leaving can end it in time.
        server = ScriptedHttpServer.start(request -> out -> {
            out.pause(Duration.ofMinutes(1));
            out.sendJson(200, "{}");
        });

        try (var socket = connect()) {
            send(socket, get("/slow"));
            assertThat(server.awaitRequestCount(1, WAIT)).isTrue();
        }

        assertThat(server.awaitAbandonedConnections(1, WAIT)).isTrue();
    }

    @Test
    void closingTheServerReleasesAHoldWithoutCountingItAbandoned() throws Exception {
        server = ScriptedHttpServer.start(request -> ResponseWriter::holdUntilClientLeaves);

        try (var socket = connect()) {
            send(socket, get("/silent"));
            assertThat(server.awaitRequestCount(1, WAIT)).isTrue();

            server.close();

            assertThat(socket.getInputStream().read()).as("the server closed the connection").isEqualTo(-1);
        }
        assertThat(server.abandonedConnections()).isZero();
    }

    @Test
    void countsAcceptedConnectionsNotRequests() throws Exception {
        server = ScriptedHttpServer.start(request -> out -> out.send(200, "text/plain", "ok"));

        try (var first = connect()) {
            send(first, get("/one"));
            assertThat(new RawHttpResponse(first.getInputStream()).fixedBody()).isEqualTo("ok");
            send(first, get("/two"));
            assertThat(new RawHttpResponse(first.getInputStream()).fixedBody()).isEqualTo("ok");
            assertThat(server.acceptedConnections()).as("keep-alive").isEqualTo(1);

            try (var second = connect()) {
                assertThat(second.isConnected()).isTrue();
                assertThat(server.awaitAcceptedConnections(2, WAIT)).isTrue();
            }
        }
        assertThat(server.requests()).extracting(RecordedRequest::path).containsExactly("/one", "/two");
    }

    @Test
    void routesEachRequestByWhatWasRecordedOfIt() throws Exception {
        Function<RecordedRequest, Script> router = request -> request.method().equals("POST")
                ? out -> out.sendJson(201, "{\"model\":\"" + request.model() + "\"}")
                : out -> out.send(404, "text/plain", "no");
        server = ScriptedHttpServer.start(router);
        String body = "{\"model\":\"m-1\",\"stream\":true,\"instructions\":\"be brief\"}";

        HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(server.url("/v1/things?x=1")))
                        .header("Authorization", "Bearer sk-9").header("X-Custom", "yes")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create(server.url("/nothing"))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).isEqualTo("{\"model\":\"m-1\"}");
        assertThat(missing.statusCode()).isEqualTo(404);
        RecordedRequest recorded = server.requests().getFirst();
        assertThat(recorded.path()).isEqualTo("/v1/things?x=1");
        assertThat(recorded.pathWithoutQuery()).isEqualTo("/v1/things");
        assertThat(recorded.header("x-custom")).isEqualTo("yes");
        assertThat(recorded.bearerKey()).isEqualTo("sk-9");
        assertThat(recorded.stream()).isTrue();
        assertThat(recorded.json().path("instructions").asText()).isEqualTo("be brief");
        assertThat(server.requests().get(1).json().path("anything").isMissingNode()).isTrue();
    }

    @Test
    void aCloseDelimitedBodyEndsWithTheConnection() throws Exception {
        server = ScriptedHttpServer.start(request -> out -> {
            out.startCloseDelimited(200, "text/event-stream");
            out.sendRaw("data: one\r\n\r\ndata: two\r\n\r\n");
        });

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(server.url("/raw"))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.headers().firstValue("connection")).hasValue("close");
        assertThat(response.headers().firstValue("content-length")).isEmpty();
        assertThat(response.body()).isEqualTo("data: one\r\n\r\ndata: two\r\n\r\n");
    }

    @Test
    void aHalfCloseEndsTheStreamAfterWhatWasSent() throws Exception {
        server = ScriptedHttpServer.start(request -> out -> {
            out.sendRaw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
            out.finishSending();
        });

        try (var socket = connect()) {
            send(socket, get("/half"));
            InputStream in = socket.getInputStream();

            assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1))
                    .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
        }
    }

    @Test
    void aCorkedResponseLeavesOnlyAtTheUncork() throws Exception {
        var uncork = new CountDownLatch(1);
        server = ScriptedHttpServer.start(request -> out -> {
            out.cork();
            out.sendJson(200, "{\"first\":1}");
            out.sendRaw("stray bytes");
            awaitQuietly(uncork);
            out.uncork();
        });

        try (var socket = connect()) {
            send(socket, get("/corked"));
            assertThat(server.awaitRequestCount(1, WAIT)).isTrue();
            // Absence can only be shown by waiting a little: nothing may arrive while the writer is corked.
            socket.setSoTimeout(200);
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            socket.setSoTimeout(0);

            uncork.countDown();

            var response = new RawHttpResponse(socket.getInputStream());
            assertThat(response.fixedBody()).isEqualTo("{\"first\":1}");
            assertThat(new String(socket.getInputStream().readNBytes(11), StandardCharsets.ISO_8859_1))
                    .isEqualTo("stray bytes");
        }
    }

    @Test
    void servesTheSameScriptsOverTls() throws Exception {
        server = ScriptedHttpServer.startTls(TestTls.localhostCert(), request -> out -> {
            out.startEventStream();
            out.sendEvent("ping", "{}");
            out.endEventStream();
        });
        HttpClient tlsClient = HttpClient.newBuilder().sslContext(TestTls.clientContext()).build();

        HttpResponse<String> response = tlsClient.send(HttpRequest.newBuilder(URI.create(server.url("/tls"))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(server.origin()).startsWith("https://127.0.0.1:");
        assertThat(response.body()).isEqualTo("event: ping\ndata: {}\n\n");
        assertThat(server.acceptedConnections()).isEqualTo(1);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private Socket connect() throws IOException {
        return new Socket("127.0.0.1", server.port());
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    private static void send(Socket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Waits for the test to release the script; bounded, so a failed test cannot leave the script waiting forever. */
    private static void awaitQuietly(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("the test never released the cork");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while corked", e);
        }
    }
}
