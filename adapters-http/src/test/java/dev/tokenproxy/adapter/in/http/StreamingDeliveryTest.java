package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.model.UpstreamReply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Behaviour §6: a committed stream reaches the client chunk by chunk as the upstream produces it, and a client
 * that goes away cancels the upstream call.
 */
class StreamingDeliveryTest {

    private static final String STREAM_CHAT = "{\"model\":\"gpt-4.1\",\"stream\":true,\"messages\":[]}";
    private static final long WAIT_SECONDS = 10;

    private final ExecutorService reader = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stopReader() {
        reader.shutdownNow();
    }

    private static ForwardResult streaming(ControlledReplyStream stream) {
        return new ForwardResult.Delivered(new UpstreamReply.Streaming(200,
                Map.of("content-type", "text/event-stream", "x-upstream-request-id", "req_s1"), stream));
    }

    /** Reads one line on another thread, so that a line that never comes fails the test instead of hanging it. */
    private String nextLine(BufferedReader lines) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return lines.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, reader).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * The server only learns that the client left when a write fails, and the first write after the client closed
     * may still land in the socket buffer: so keep producing chunks until the stream is closed (bounded).
     */
    private static void releaseUntilClosed(ControlledReplyStream stream) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!stream.isClosed() && System.nanoTime() < giveUp) {
            stream.release("data: {\"n\":\"more\"}\n\n");
            stream.awaitClosed(50, TimeUnit.MILLISECONDS);
        }
    }

    private HttpResponse<InputStream> openStream(RunningGateway gateway) throws Exception {
        return gateway.client().sendAsync(gateway.chat(STREAM_CHAT).build(), HttpResponse.BodyHandlers.ofInputStream())
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void eachChunkReachesTheClientBeforeTheNextOneExists() throws Exception {
        var stream = new ControlledReplyStream();
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(streaming(stream));
            stream.release("data: {\"n\":1}\n\n");

            var response = openStream(gateway);
            var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));

            // Chunk 2 has not been released yet: the client can only see chunk 1 if it was flushed on its own.
            assertThat(nextLine(lines)).isEqualTo("data: {\"n\":1}");
            assertThat(nextLine(lines)).isEmpty();

            stream.release("data: {\"n\":2}\n\n");
            assertThat(nextLine(lines)).isEqualTo("data: {\"n\":2}");
            assertThat(nextLine(lines)).isEmpty();

            stream.release("data: [DONE]\n\n");
            stream.end();
            assertThat(nextLine(lines)).isEqualTo("data: [DONE]");
            assertThat(nextLine(lines)).isEmpty();
            assertThat(nextLine(lines)).as("end of the response").isNull();
        }
    }

    @Test
    void aStreamIsSentAsAnEventStreamWithItsUpstreamHeaders() throws Exception {
        var stream = new ControlledReplyStream();
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(streaming(stream));
            stream.release("data: {\"n\":1}\n\n");
            stream.end();

            var response = openStream(gateway);
            response.body().close();

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("text/event-stream"));
            assertThat(response.headers().firstValue("cache-control")).contains("no-cache");
            assertThat(response.headers().firstValue("x-upstream-request-id")).contains("req_s1");
            assertThat(response.headers().firstValue("content-length")).isEmpty();
        }
    }

    @Test
    void theStreamIsClosedOnceItEnded() throws Exception {
        var stream = new ControlledReplyStream();
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(streaming(stream));
            stream.release("data: {\"n\":1}\n\n");
            stream.end();

            var response = openStream(gateway);
            try (var body = response.body()) {
                assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("data: {\"n\":1}\n\n");
            }

            assertThat(stream.awaitClosed(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * Closing an upstream stream reads the upstream's own end, which a misbehaving upstream may hold back: the client
     * must have its whole response before that, not after. Here the close waits for the client's last byte, so a
     * writer that ended the response only after the close would never end it.
     */
    @Test
    void theClientHasTheWholeResponseBeforeTheStreamIsClosed() throws Exception {
        var stream = new ControlledReplyStream();
        var clientHasItAll = new CountDownLatch(1);
        stream.closeWaitsFor(clientHasItAll);
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(streaming(stream));
            stream.release("data: [DONE]\n\n");
            stream.end();

            var response = openStream(gateway);
            String body = CompletableFuture.supplyAsync(() -> {
                try (var in = response.body()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, reader).get(WAIT_SECONDS, TimeUnit.SECONDS);
            clientHasItAll.countDown();

            assertThat(body).isEqualTo("data: [DONE]\n\n");
            assertThat(stream.awaitClosed(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aClientThatGoesAwayMidStreamClosesTheReplyStream() throws Exception {
        var stream = new ControlledReplyStream();
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(streaming(stream));
            stream.release("data: {\"n\":1}\n\n");

            var response = openStream(gateway);
            var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            assertThat(nextLine(lines)).isEqualTo("data: {\"n\":1}");

            response.body().close();

            releaseUntilClosed(stream);
            assertThat(stream.isClosed()).as("ReplyStream.close() after the client disconnected").isTrue();
            assertThat(stream.closeCalls()).isEqualTo(1);
        }
    }

    @Test
    void theServerKeepsServingAfterAClientAbandonedAStream() throws Exception {
        var stream = new ControlledReplyStream();
        try (var gateway = RunningGateway.open()) {
            gateway.forward.answer(streaming(stream));
            stream.release("data: {\"n\":1}\n\n");
            var response = openStream(gateway);
            response.body().close();
            releaseUntilClosed(stream);
            assertThat(stream.isClosed()).isTrue();

            gateway.forward.answer(ScriptedForwardUseCase.buffered(200, "{\"ok\":true}"));
            var next = gateway.send(gateway.chat(STREAM_CHAT));

            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("{\"ok\":true}");
        }
    }
}
