package dev.tokenproxy.adapter.out.upstream.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tokenproxy.adapter.out.upstream.http.ClientWarmUp;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.routing.InboundFormat;
import dev.tokenproxy.domain.routing.ModelMappings;
import dev.tokenproxy.testing.ScriptedHttpServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code openai} adapter against Chat wire shapes beyond the Chat fake's repertoire, served raw by the shared
 * scripted server: SSE with CRLF lines and comments, bodies ended by the connection closing, the hold-back budget,
 * and which streams count as output.
 */
class OpenAiChatAdapterRawWireTest {

    private static final String ROLE = "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
            + "\"finish_reason\":null}]}";
    private static final String HELLO = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},"
            + "\"finish_reason\":null}]}";
    private static final String STOP = "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
    private static final String DONE = "data: [DONE]\n\n";

    private final UpstreamHttpClient http = new UpstreamHttpClient();

    @BeforeAll
    static void warmUp() throws Exception {
        ClientWarmUp.once();
    }

    @AfterEach
    void close() {
        http.close();
    }

    @Test
    void acceptsCrlfEventFieldsAndDropsKeepAlivesBeforeOutputButForwardsThemAfter() throws Exception {
        String body = ": waiting\r\n\r\n"
                + "event: chunk\r\ndata: " + ROLE + "\r\n\r\n"
                + "data: " + HELLO + "\r\n\r\n"
                + ": still here\r\n\r\n"
                + "data: " + STOP + "\r\n\r\n"
                + "data: [DONE]\r\n\r\n";
        try (var server = eventStreamEndingWithTheConnection(body)) {
            List<String> frames = frames(send(server));

            assertThat(frames).containsExactly(frame(ROLE), frame(HELLO), ": still here\n\n", frame(STOP), DONE);
        }
    }

    @Test
    void readsAStreamThatEndsWithTheConnection() throws Exception {
        try (var server = eventStreamEndingWithTheConnection("data: " + ROLE + "\n\ndata: " + HELLO + "\n\ndata: " + STOP
                + "\n\n")) {
            assertThat(frames(send(server))).containsExactly(frame(ROLE), frame(HELLO), frame(STOP), DONE);
        }
    }

    @Test
    void commitsWithoutOutputOnceTheHoldBackBudgetIsSpent() throws Exception {
        var body = new StringBuilder();
        int silent = dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate.HOLD_BACK_MAX_EVENTS + 1;
        for (int i = 0; i < silent; i++) {
            body.append("data: ").append(ROLE).append("\n\n");
        }
        body.append("data: ").append(HELLO).append("\n\n").append("data: ").append(STOP).append("\n\n")
                .append(DONE);
        try (var server = eventStreamEndingWithTheConnection(body.toString())) {
            List<String> frames = frames(send(server));

            assertThat(frames).hasSize(silent + 3);
            assertThat(frames.getLast()).isEqualTo(DONE);
        }
    }

    @Test
    void aStreamFinishedForAnotherReasonThanStopIsDeliveredEvenWithoutContent() throws Exception {
        String length = "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}";
        try (var server = eventStreamEndingWithTheConnection("data: " + ROLE + "\n\ndata: " + length + "\n\n" + DONE)) {
            assertThat(frames(send(server))).containsExactly(frame(ROLE), frame(length), DONE);
        }
    }

    @Test
    void aToolCallIsOutput() throws Exception {
        String toolCall = "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}";
        String finish = "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}";
        try (var server = eventStreamEndingWithTheConnection("data: " + toolCall + "\n\ndata: " + finish + "\n\n" + DONE)) {
            assertThat(frames(send(server))).containsExactly(frame(toolCall), frame(finish), DONE);
        }
    }

    @Test
    void aDoneWithoutAnyChunkIsAnEmptyCompletion() throws Exception {
        try (var server = eventStreamEndingWithTheConnection(DONE)) {
            var outcome = send(server);

            assertThat(outcome).isInstanceOf(AttemptOutcome.Retryable.class);
            assertThat(((AttemptOutcome.Retryable<UpstreamReply>) outcome).reason())
                    .isEqualTo(RetryReason.EMPTY_COMPLETION);
        }
    }

    @Test
    void aCompletionFramedByTheConnectionCloseIsReadWhole() throws Exception {
        String completion = "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
                + "\"finish_reason\":\"stop\"}]}";
        try (var server = ScriptedHttpServer.start(request -> out -> {
            out.startCloseDelimited(200, "application/json");
            out.sendRaw(completion.getBytes(StandardCharsets.UTF_8));
        })) {
            var outcome = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> new OpenAiChatAdapter(http, Clock.systemUTC()).send(request(server, false)));

            var reply = (UpstreamReply.Buffered) ((AttemptOutcome.Success<UpstreamReply>) outcome).response();
            assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo(completion);
        }
    }

    private AttemptOutcome<UpstreamReply> send(ScriptedHttpServer server) {
        return assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> new OpenAiChatAdapter(http, Clock.systemUTC()).send(request(server, true)));
    }

    /** Answers every request with {@code body} as an SSE stream whose end is the connection closing (no framing). */
    private static ScriptedHttpServer eventStreamEndingWithTheConnection(String body) {
        return ScriptedHttpServer.start(request -> out -> {
            out.startCloseDelimited(200, "text/event-stream");
            out.sendRaw(body.getBytes(StandardCharsets.UTF_8));
        });
    }

    private static List<String> frames(AttemptOutcome<UpstreamReply> outcome) {
        assertThat(outcome).isInstanceOf(AttemptOutcome.Success.class);
        var stream = ((UpstreamReply.Streaming) ((AttemptOutcome.Success<UpstreamReply>) outcome).response()).stream();
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            var frames = new ArrayList<String>();
            byte[] frame;
            while ((frame = stream.next()) != null) {
                frames.add(new String(frame, StandardCharsets.UTF_8));
            }
            return frames;
        });
    }

    private static String frame(String data) {
        return "data: " + data + "\n\n";
    }

    private static AttemptRequest request(ScriptedHttpServer server, boolean stream) {
        var upstream = new Upstream("raw", "openai", URI.create(server.url("/v1")), new CredentialSource.ApiKeys(List.of(new Secret("k"))), 0, true,
                Set.of(), ModelMappings.NONE, false, true);
        byte[] body = ("{\"model\":\"m\",\"stream\":" + stream + "}").getBytes(StandardCharsets.UTF_8);
        return new AttemptRequest(upstream, new Credential.ApiKey(new CredentialKey("raw", "key-1"), new Secret("k")),
                InboundFormat.CHAT, "m", "m", body, stream,
                new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5)),
                Clock.systemUTC().instant().plusSeconds(30));
    }
}
