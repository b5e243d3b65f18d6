package dev.tokenproxy.adapter.out.upstream.responses;

import static dev.tokenproxy.testing.OutcomeAssertions.assertRetryable;
import static dev.tokenproxy.testing.OutcomeAssertions.buffered;
import static dev.tokenproxy.testing.OutcomeAssertions.drain;
import static dev.tokenproxy.testing.OutcomeAssertions.streaming;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenproxy.adapter.out.upstream.http.ClientWarmUp;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.AttemptOutcome.Fatal;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.routing.InboundFormat;
import dev.tokenproxy.domain.routing.ModelMappings;
import dev.tokenproxy.testing.FakeResponsesUpstream;
import dev.tokenproxy.testing.ResponsesReply;
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

/** The {@code openai_responses} adapter against a fake Responses upstream speaking the real wire protocol. */
class OpenAiResponsesAdapterTest {

    private static final String KEY = "sk-responses-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AttemptTimeouts GENEROUS =
            new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
    private static final Duration TEST_BOUND = Duration.ofSeconds(10);

    private final FakeResponsesUpstream fake = FakeResponsesUpstream.start();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Clock clock = Clock.systemUTC();

    @BeforeAll
    static void warmUp() throws Exception {
        ClientWarmUp.once();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        fake.close();
    }

    // --- Responses clients ------------------------------------------------------------------------------------

    @Test
    void aResponsesRequestGoesToResponsesWithTheBearerKeyAndTheMappedModel() throws Exception {
        fake.defaultReply(ResponsesReply.ok("Hello there"));

        var outcome = send(responses("alias", "gpt-4.1", false));

        JsonNode body = json(buffered(outcome).body());
        assertThat(body.at("/output/0/content/0/text").asText()).isEqualTo("Hello there");
        var sent = fake.requests().getFirst();
        assertThat(sent.path()).isEqualTo("/v1/responses");
        assertThat(sent.bearerKey()).isEqualTo(KEY);
        assertThat(sent.header("accept")).isEqualTo("application/json");
        assertThat(sent.json().path("model").asText()).isEqualTo("gpt-4.1");
        assertThat(sent.json().path("instructions").asText()).isEqualTo("Be brief.");
    }

    @Test
    void anIncompleteResponseIsDelivered() throws Exception {
        fake.defaultReply(ResponsesReply.incomplete("cut", "max_output_tokens"));

        JsonNode body = json(buffered(send(responses("gpt-4.1", "gpt-4.1", false))).body());

        assertThat(body.path("status").asText()).isEqualTo("incomplete");
    }

    @Test
    void aCompletedResponseWithoutOutputIsAnEmptyCompletion() {
        fake.defaultReply(ResponsesReply.ok(""));

        var outcome = send(responses("gpt-4.1", "gpt-4.1", false));

        assertRetryable(outcome, RetryReason.EMPTY_COMPLETION);
    }

    @Test
    void aFailedResponseWithContextLengthExceededIsFatalAndCarriesTheUpstreamsError() throws Exception {
        fake.defaultReply(ResponsesReply.contextLengthExceeded());

        var outcome = send(responses("gpt-4.1", "gpt-4.1", false));

        assertThat(outcome).isInstanceOf(Fatal.class);
        var reply = (UpstreamReply.Buffered) ((Fatal<UpstreamReply>) outcome).response();
        assertThat(reply.status()).isEqualTo(400);
        assertThat(json(reply.body()).at("/error/code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void aFailedResponseWithARateLimitIsRetryableAndCoolsForTheWaitItsMessageNames() {
        fake.defaultReply(ResponsesReply.rateLimitExceeded(Duration.ofMillis(11_500)));

        var retry = assertRetryable(send(responses("gpt-4.1", "gpt-4.1", true)), RetryReason.RATE_LIMITED);

        assertThat(retry.status()).isEqualTo(429);
        assertThat(retry.cooldown()).isEqualTo(new CooldownRule.Hinted(Duration.ofMillis(11_500)));
    }

    @Test
    void anHttpErrorIsDescribedByItsOpenAiErrorBody() {
        fake.defaultReply(ResponsesReply.error(429, "requests", "rate_limit_exceeded", "slow down")
                .withHeader("Retry-After", "7"));

        var retry = assertRetryable(send(responses("gpt-4.1", "gpt-4.1", false)), RetryReason.RATE_LIMITED);

        assertThat(retry.cooldown()).isEqualTo(new CooldownRule.Hinted(Duration.ofSeconds(7)));
    }

    @Test
    void aStreamIsDeliveredAsResponsesEventsEndingWithCompleted() throws Exception {
        fake.defaultReply(ResponsesReply.ok("Hello streaming world"));

        var outcome = send(responses("gpt-4.1", "gpt-4.1", true));

        List<String> frames = drain(streaming(outcome).stream());
        assertThat(frames.getLast()).startsWith("event: response.completed");
        assertThat(fake.requests().getFirst().header("accept")).isEqualTo("text/event-stream");
    }

    @Test
    void aStreamEndingWithoutTerminalEventAfterOutputEndsWithResponseFailed() {
        fake.defaultReply(ResponsesReply.endsBeforeTerminalEvent("partial answer"));

        List<String> frames = drain(streaming(send(responses("gpt-4.1", "gpt-4.1", true))).stream());

        assertThat(frames.getLast()).startsWith("event: response.failed");
        assertThat(frames).noneMatch(frame -> frame.startsWith("event: response.completed"));
    }

    @Test
    void anErrorEventBeforeOutputIsRetryable() {
        fake.defaultReply(ResponsesReply.errorEvent("server_error", "boom"));

        assertRetryable(send(responses("gpt-4.1", "gpt-4.1", true)), RetryReason.STREAM_FAILED_BEFORE_OUTPUT);
    }

    // --- Chat clients by conversion ---------------------------------------------------------------------------

    @Test
    void aChatRequestIsConvertedAndTheResponseComesBackAsACompletion() throws Exception {
        fake.defaultReply(ResponsesReply.ok("Hi from responses"));

        JsonNode completion = json(buffered(send(chat(false))).body());

        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.at("/choices/0/message/content").asText()).isEqualTo("Hi from responses");
        assertThat(completion.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(8);
        JsonNode sent = fake.requests().getFirst().json();
        assertThat(sent.path("instructions").asText()).isEqualTo("Be brief.");
        assertThat(sent.at("/input/0/content/0/text").asText()).isEqualTo("hi");
    }

    @Test
    void aChatStreamGetsChatChunksAndDone() throws Exception {
        fake.defaultReply(ResponsesReply.ok("Hello streaming world"));

        List<String> frames = drain(streaming(send(chat(true))).stream());

        assertThat(frames.getLast()).isEqualTo("data: [DONE]\n\n");
        StringBuilder content = new StringBuilder();
        for (String frame : frames.subList(0, frames.size() - 1)) {
            content.append(json(frame.substring("data: ".length()).strip().getBytes(StandardCharsets.UTF_8))
                    .at("/choices/0/delta/content").asText(""));
        }
        assertThat(content.toString()).isEqualTo("Hello streaming world");
        assertThat(frames.get(frames.size() - 2)).contains("\"usage\"");
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    private AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        UpstreamHttpClient http = new UpstreamHttpClient();
        toClose.add(http);
        return assertTimeoutPreemptively(TEST_BOUND, () -> new OpenAiResponsesAdapter(http, clock).send(request));
    }

    private AttemptRequest responses(String requested, String upstreamModel, boolean stream) {
        String body = "{\"model\":\"" + requested + "\",\"instructions\":\"Be brief.\",\"input\":\"hi\",\"stream\":"
                + stream + "}";
        return request(InboundFormat.RESPONSES, body, requested, upstreamModel, stream);
    }

    private AttemptRequest chat(boolean stream) {
        String body = "{\"model\":\"gpt-4.1\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":" + stream
                + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "") + "}";
        return request(InboundFormat.CHAT, body, "gpt-4.1", "gpt-4.1", stream);
    }

    private AttemptRequest request(InboundFormat format, String body, String requested, String upstreamModel,
                                   boolean stream) {
        var upstream = new Upstream("fake", OpenAiResponsesAdapter.PROVIDER, URI.create(fake.baseUrl()),
                new CredentialSource.ApiKeys(List.of(new Secret(KEY))), 0, true, Set.of(), ModelMappings.NONE, false, true);
        return new AttemptRequest(upstream, new Credential.ApiKey(new CredentialKey("fake", "key-1"), new Secret(KEY)),
                format, requested, upstreamModel, body.getBytes(StandardCharsets.UTF_8), stream, GENEROUS,
                clock.instant().plusSeconds(30));
    }

    private static JsonNode json(byte[] body) throws Exception {
        return JSON.readTree(body);
    }
}
