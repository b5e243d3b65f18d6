package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.RunningGateway.key;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whether a connection carries another request after a response: not when the client said {@code Connection: close},
 * and not when a refused body would have to be read beyond a small bound to get to the next request.
 */
class ConnectionReuseTest {

    private static final String CHAT = "{\"model\":\"gpt-4.1\",\"messages\":[]}";
    /** Far more than the socket buffers on both sides hold: reaching it means the server was reading it all. */
    private static final long WRITE_CAP = 10L * 1024 * 1024;
    private static final int SMALL_SEND_BUFFER = 64 * 1024;

    @Test
    void aClientsConnectionCloseIsAnsweredWithItAndTheConnectionIsClosed() {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            var response = client.send("GET /health HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n")
                    .readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.closedByServer()).as("EOF after the response").isTrue();
        }
    }

    /** {@code close} is a token of a comma list, compared without regard to case (RFC 9110 §7.6.1, §5.6.1). */
    @ParameterizedTest(name = "Connection: {0}")
    @ValueSource(strings = {"Close", "CLOSE", "keep-alive, Close", "TE, close", "close , TE", "upgrade,close"})
    void aConnectionCloseTokenInAnyCaseOrListIsHonoured(String connection) {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            var response = client.send("GET /health HTTP/1.1\r\nHost: gateway\r\nConnection: " + connection
                    + "\r\n\r\n").readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(client.closedByServer()).as("EOF after the response").isTrue();
        }
    }

    /** The token check agrees with Helidon's own on every way a list can be written, headers given twice included. */
    @ParameterizedTest
    @ValueSource(strings = {"close", "Close", "keep-alive", "keep-alive, close", "close,TE", " close ", "\tclose\t",
        "TE,,close", ",", "", "closed", "x-close", "close-ish, keep-alive", "keep-alive|CLOSE", "TE|keep-alive"})
    void theTokenCheckAgreesWithHelidons(String values) {
        var headers = io.helidon.http.WritableHeaders.create();
        for (String value : values.split("\\|", -1)) {
            headers.add(io.helidon.http.HeaderNames.CONNECTION, value);
        }

        assertThat(ConnectionReuse.hasToken(headers, io.helidon.http.HeaderValues.CONNECTION_CLOSE))
                .isEqualTo(headers.containsToken(io.helidon.http.HeaderValues.CONNECTION_CLOSE));
    }

    /** Only the token counts: a word that merely contains "close" leaves the connection open. */
    @ParameterizedTest(name = "Connection: {0}")
    @ValueSource(strings = {"keep-alive", "closed", "x-close"})
    void aConnectionHeaderWithoutTheCloseTokenKeepsTheConnection(String connection) {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            client.send("GET /health HTTP/1.1\r\nHost: gateway\r\nConnection: " + connection + "\r\n\r\n")
                    .readResponse();

            var second = client.send("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n").readResponse();

            assertThat(second.status()).isEqualTo(200);
        }
    }

    @Test
    void aPipelinedRequestAfterConnectionCloseIsNotAnswered() {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            var response = client.send("GET /health HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n"
                            + "GET /v1/nothing HTTP/1.1\r\nHost: gateway\r\n\r\n")
                    .readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(client.closedByServer()).as("nothing after the response to the closing request").isTrue();
        }
    }

    @Test
    void withoutConnectionCloseTheConnectionCarriesTheNextRequest() {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway)) {
            client.send("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n").readResponse();

            var second = client.send("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n").readResponse();

            assertThat(second.status()).isEqualTo(200);
        }
    }

    /** A forwarded request's body read to its declared length leaves the connection ready for the next one. */
    @Test
    void aForwardedRequestWithAContentLengthBodyLeavesTheConnectionForTheNext() {
        // Larger than what arrives with the headers, so the body is read from the socket as it comes.
        String body = "{\"model\":\"gpt-4.1\",\"prompt\":\"" + "x".repeat(200_000) + "\"}";
        try (var gateway = RunningGateway.withBodyLimit(1 << 20); var client = RawConnection.to(gateway)) {
            String post = "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body;

            var first = client.send(post).readResponse();
            var second = client.send(post).readResponse();

            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).isEqualTo(200);
            assertThat(gateway.forward.received()).hasSize(2);
        }
    }

    @Test
    void anUnauthenticatedRequestDeclaringAHugeBodyGets401AndTheConnectionClosedWithoutReadingIt() throws Exception {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"));
             var client = RawConnection.to(gateway, SMALL_SEND_BUFFER)) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 40000000000\r\n\r\n");

            assertBodyRefusedWithoutReading(client, 401, () -> new byte[64 * 1024]);
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void anUnauthenticatedEndlessChunkedBodyGets401AndTheConnectionClosedWithoutReadingIt() throws Exception {
        byte[] chunk = chunk(64 * 1024);
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop"));
             var client = RawConnection.to(gateway, SMALL_SEND_BUFFER)) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");

            assertBodyRefusedWithoutReading(client, 401, () -> chunk);
        }
    }

    @Test
    void aBodyDeclaredOverTheLimitGets413AndTheConnectionClosedWithoutReadingIt() throws Exception {
        try (var gateway = RunningGateway.withBodyLimit(1024);
             var client = RawConnection.to(gateway, SMALL_SEND_BUFFER)) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 40000000000\r\n\r\n");

            assertBodyRefusedWithoutReading(client, 413, () -> new byte[64 * 1024]);
        }
    }

    @Test
    void anUnknownUrlWithAHugeBodyIsAnsweredAndTheConnectionClosedWithoutReadingIt() throws Exception {
        try (var gateway = RunningGateway.open(); var client = RawConnection.to(gateway, SMALL_SEND_BUFFER)) {
            client.send("POST /upload HTTP/1.1\r\nHost: gateway\r\nContent-Length: 40000000000\r\n\r\n");

            assertBodyRefusedWithoutReading(client, 404, () -> new byte[64 * 1024]);
        }
    }

    @Test
    void aSmallRefusedBodyIsDiscardedAndTheConnectionCarriesTheNextRequest() {
        String body = "{\"model\":\"gpt-4.1\",\"pad\":\"" + "x".repeat(8 * 1024) + "\"}";
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop")); var client = RawConnection.to(gateway)) {
            var refused = client.send(chatRequest("", body)).readResponse();
            var accepted = client.send(chatRequest("Authorization: Bearer k-laptop\r\n", CHAT)).readResponse();

            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.header("connection")).isNotEqualTo("close");
            assertThat(accepted.status()).isEqualTo(200);
            assertThat(gateway.forward.onlyCommand().body().bytes()).isEqualTo(CHAT.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aSmallRefusedChunkedBodyIsDiscardedAndTheConnectionCarriesTheNextRequest() {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop")); var client = RawConnection.to(gateway)) {
            var refused = client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").readResponse();
            var accepted = client.send(chatRequest("Authorization: Bearer k-laptop\r\n", CHAT)).readResponse();

            assertThat(refused.status()).isEqualTo(401);
            assertThat(accepted.status()).isEqualTo(200);
        }
    }

    @Test
    void aRefusedRequestWaitingFor100ContinueIsClosedWithoutInvitingTheBody() {
        try (var gateway = RunningGateway.withKeys(key("laptop", "k-laptop")); var client = RawConnection.to(gateway)) {
            var response = client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
                    + "Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n").readResponse();

            assertThat(response.status()).as("the first response, not 100 Continue").isEqualTo(401);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    private static String chatRequest(String extraHeaders, String body) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                + extraHeaders + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static byte[] chunk(int size) {
        byte[] head = (Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[head.length + size + 2];
        System.arraycopy(head, 0, chunk, 0, head.length);
        java.util.Arrays.fill(chunk, head.length, head.length + size, (byte) 'x');
        chunk[chunk.length - 2] = '\r';
        chunk[chunk.length - 1] = '\n';
        return chunk;
    }

    /**
     * Keeps writing body bytes, as a client uploading a huge body does, while the response is read: the refusal
     * must arrive, and the server must close the connection (the writes fail) long before the client wrote
     * {@link #WRITE_CAP} bytes. Draining the body instead lets every write succeed.
     */
    private static void assertBodyRefusedWithoutReading(RawConnection client, int status,
                                                        java.util.function.Supplier<byte[]> bodyPart)
            throws Exception {
        var written = CompletableFuture.supplyAsync(() -> {
            long total = 0;
            try {
                while (total < WRITE_CAP) {
                    byte[] part = bodyPart.get();
                    client.write(part);
                    total += part.length;
                }
                return new WriteEnd(total, false);
            } catch (IOException closedByServer) {
                return new WriteEnd(total, true);
            }
        });

        var response = client.readResponse();
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(RunningGateway.json(response.body()).path("error").isObject()).isTrue();

        var end = written.get(30, TimeUnit.SECONDS);
        assertThat(end.failed()).as("the server stopped the upload (wrote %d bytes)", end.bytes()).isTrue();
        assertThat(end.bytes()).isLessThan(WRITE_CAP);
    }

    private record WriteEnd(long bytes, boolean failed) {
    }
}
