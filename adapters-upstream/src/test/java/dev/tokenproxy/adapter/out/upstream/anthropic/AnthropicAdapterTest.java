package dev.tokenproxy.adapter.out.upstream.anthropic;

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
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.routing.InboundFormat;
import dev.tokenproxy.domain.routing.ModelMappings;
import dev.tokenproxy.testing.AnthropicReply;
import dev.tokenproxy.testing.FakeAnthropicUpstream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code anthropic} adapter against a fake Anthropic upstream speaking the real wire protocol. */
class AnthropicAdapterTest {

    private static final String KEY = "sk-ant-test-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AttemptTimeouts GENEROUS =
            new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
    private static final Duration TEST_BOUND = Duration.ofSeconds(10);

    private final FakeAnthropicUpstream fake = FakeAnthropicUpstream.start();
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

    @Test
    void sendsTheKeyAsXApiKeyWithTheMappedModelAndADefaultVersion() throws Exception {
        fake.defaultReply(AnthropicReply.ok("Hello there"));

        var outcome = send(request("alias", "claude-real", false, Map.of()));

        assertThat(outcome).isInstanceOf(AttemptOutcome.Success.class);
        assertThat(json(buffered(outcome).body()).at("/content/0/text").asText()).isEqualTo("Hello there");
        var sent = fake.requests().getFirst();
        assertThat(sent.path()).isEqualTo("/v1/messages");
        assertThat(sent.header("x-api-key")).isEqualTo(KEY);
        assertThat(sent.header("authorization")).isNull();
        assertThat(sent.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(sent.json().path("model").asText()).isEqualTo("claude-real");
    }

    @Test
    void passesTheClientsAnthropicHeadersOn() {
        send(request("claude", "claude", false,
                Map.of("anthropic-version", "2024-01-01", "anthropic-beta", "context-management-2025-06-27")));

        var sent = fake.requests().getFirst();
        assertThat(sent.header("anthropic-version")).isEqualTo("2024-01-01");
        assertThat(sent.header("anthropic-beta")).isEqualTo("context-management-2025-06-27");
    }

    @Test
    void aStreamPassesEveryEventOnAndEndsWithMessageStop() {
        fake.defaultReply(AnthropicReply.thinkingThenText("Let me think", "Hello streaming world"));

        List<String> frames = drain(streaming(send(request("claude", "claude", true, Map.of()))).stream());

        assertThat(frames.getFirst()).startsWith("event: message_start\n");
        assertThat(frames.getLast()).startsWith("event: message_stop\n");
        assertThat(String.join("", frames)).contains("thinking_delta", "signature_delta", "\"text\":\"world\"",
                "event: message_delta");
    }

    @Test
    void aToolUseStreamCommitsAtTheToolBlockAndKeepsEveryInputFragment() {
        fake.defaultReply(AnthropicReply.toolUse("toolu_1", "get_weather", "{\"city\":\"Rome\"}"));

        List<String> frames = drain(streaming(send(request("claude", "claude", true, Map.of()))).stream());

        String fragments = frames.stream().filter(frame -> frame.contains("input_json_delta"))
                .map(frame -> readData(frame).at("/delta/partial_json").asText()).reduce("", String::concat);
        assertThat(fragments).isEqualTo("{\"city\":\"Rome\"}");
    }

    @Test
    void anOverloadedStatusIsRetryableWithItsRetryAfter() {
        fake.defaultReply(AnthropicReply.overloaded().withHeader("retry-after", "7"));

        var retry = assertRetryable(send(request("claude", "claude", false, Map.of())), RetryReason.SERVER_ERROR);

        assertThat(retry.status()).isEqualTo(529);
        assertThat(retry.cooldown()).isEqualTo(CooldownRule.hinted(Duration.ofSeconds(7)));
    }

    @Test
    void aRateLimitIsRetryableForTheWaitItNames() {
        fake.defaultReply(AnthropicReply.rateLimited(3));

        var retry = assertRetryable(send(request("claude", "claude", true, Map.of())), RetryReason.RATE_LIMITED);

        assertThat(retry.cooldown()).isEqualTo(CooldownRule.hinted(Duration.ofSeconds(3)));
    }

    @Test
    void aRejectedKeyIsACredentialFailure() {
        fake.defaultReply(AnthropicReply.unauthorized());

        assertRetryable(send(request("claude", "claude", false, Map.of())), RetryReason.CREDENTIAL_REJECTED);
    }

    @Test
    void anInvalidRequestIsFatalAndDeliveredAsTheUpstreamWroteIt() throws Exception {
        fake.defaultReply(AnthropicReply.invalidRequest("prompt is too long: 210000 tokens > 200000 maximum"));

        var outcome = send(request("claude", "claude", false, Map.of()));

        assertThat(outcome).isInstanceOf(AttemptOutcome.Fatal.class);
        var reply = (UpstreamReply.Buffered) ((AttemptOutcome.Fatal<UpstreamReply>) outcome).response();
        assertThat(reply.status()).isEqualTo(400);
        assertThat(json(reply.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void anOrganisationOutOfCreditIsTheKeysFailureNotTheRequests() {
        fake.defaultReply(AnthropicReply.invalidRequest(
                "Your credit balance is too low to access the Anthropic API."));

        assertRetryable(send(request("claude", "claude", false, Map.of())), RetryReason.CREDENTIAL_REJECTED);
    }

    @Test
    void aMessageWithoutContentBlocksIsAnEmptyCompletionStreamedOrNot() {
        fake.defaultReply(AnthropicReply.noContent());

        assertRetryable(send(request("claude", "claude", false, Map.of())), RetryReason.EMPTY_COMPLETION);
        assertRetryable(send(request("claude", "claude", true, Map.of())), RetryReason.EMPTY_COMPLETION);
    }

    @Test
    void anErrorEventBeforeOutputFailsTheAttemptAndRemembersTheUpstreamsReason() throws Exception {
        fake.defaultReply(AnthropicReply.overloadedEvent());

        var retry = assertRetryable(send(request("claude", "claude", true, Map.of())),
                RetryReason.STREAM_FAILED_BEFORE_OUTPUT);

        // Nothing was streamed; should this be the last attempt, the client learns why in its own API's shape.
        var reply = (UpstreamReply.Buffered) retry.response();
        assertThat(json(reply.body()).at("/error/type").asText()).isEqualTo("overloaded_error");
    }

    @Test
    void anErrorEventAfterOutputEndsTheStreamWithThatErrorEvent() {
        fake.defaultReply(AnthropicReply.overloadedEventAfter(2, "Hello there friend"));

        var reply = streaming(send(request("claude", "claude", true, Map.of())));
        List<String> frames = drain(reply.stream());

        assertThat(frames.getLast()).startsWith("event: error\n").contains("overloaded_error");
        assertThat(reply.stream().brokenAfterOutput()).isPresent();
    }

    @Test
    void aCutAfterOutputEndsTheStreamWithAnErrorEventNeverAMessageStop() {
        fake.defaultReply(AnthropicReply.streamCutAfter(2, "Hello there friend"));

        List<String> frames = drain(streaming(send(request("claude", "claude", true, Map.of()))).stream());

        assertThat(frames.getLast()).startsWith("event: error\n").contains("api_error");
        assertThat(String.join("", frames)).doesNotContain("message_stop");
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    // --- Chat clients, by conversion ------------------------------------------------------------------------------

    @Test
    void aChatClientGetsACompletionConvertedFromTheMessage() throws Exception {
        fake.defaultReply(AnthropicReply.ok("Hello there"));

        var outcome = send(chatRequest(false, ""));

        JsonNode completion = json(buffered(outcome).body());
        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.at("/choices/0/message/content").asText()).isEqualTo("Hello there");
        assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        var sent = fake.requests().getFirst().json();
        assertThat(sent.path("system").asText()).isEqualTo("Be brief.");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(sent.at("/messages/0/content/0/text").asText()).isEqualTo("hi");
    }

    @Test
    void aChatClientsStreamIsChatChunksEndingWithUsageAndDone() throws Exception {
        fake.defaultReply(AnthropicReply.toolUse("toolu_1", "get_weather", "{\"city\":\"Rome\"}"));

        List<String> frames = drain(streaming(send(chatRequest(true,
                ",\"stream_options\":{\"include_usage\":true}"))).stream());

        assertThat(frames.getLast()).isEqualTo("data: [DONE]\n\n");
        StringBuilder arguments = new StringBuilder();
        frames.stream().filter(frame -> frame.startsWith("data: {")).map(AnthropicAdapterTest::readData)
                .forEach(chunk -> chunk.at("/choices/0/delta/tool_calls").forEach(call ->
                        arguments.append(call.at("/function/arguments").asText())));
        assertThat(arguments.toString()).isEqualTo("{\"city\":\"Rome\"}");
        JsonNode usage = readData(frames.get(frames.size() - 2));
        assertThat(usage.at("/usage/prompt_tokens").asInt()).isPositive();
        assertThat(readData(frames.get(frames.size() - 3)).at("/choices/0/finish_reason").asText())
                .isEqualTo("tool_calls");
    }

    @Test
    void anAnthropicErrorReachesAChatClientInTheOpenAiShape() throws Exception {
        fake.defaultReply(AnthropicReply.invalidRequest("prompt is too long: 210000 tokens > 200000 maximum"));

        var outcome = send(chatRequest(false, ""));

        assertThat(outcome).isInstanceOf(AttemptOutcome.Fatal.class);
        var reply = (UpstreamReply.Buffered) ((AttemptOutcome.Fatal<UpstreamReply>) outcome).response();
        JsonNode error = json(reply.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(error.path("message").asText()).startsWith("prompt is too long");
    }

    @Test
    void aChatRequestMessagesCannotCarryIsRefusedWithoutCallingTheUpstream() {
        var request = chatRequest(false, "");
        var bad = new AttemptRequest(request.upstream(), request.credential(), InboundFormat.CHAT, "claude", "claude",
                "{\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]}".getBytes(StandardCharsets.UTF_8),
                false, GENEROUS, request.deadline());

        assertThat(send(bad)).isInstanceOf(AttemptOutcome.Fatal.class);
        assertThat(fake.requests()).isEmpty();
    }

    private AttemptRequest chatRequest(boolean stream, String extra) {
        String body = "{\"model\":\"claude\",\"max_tokens\":64,\"messages\":[{\"role\":\"system\","
                + "\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":" + stream
                + extra + "}";
        var messages = request("claude", "claude", stream, Map.of());
        return new AttemptRequest(messages.upstream(), messages.credential(), InboundFormat.CHAT, "claude", "claude",
                body.getBytes(StandardCharsets.UTF_8), stream, GENEROUS, messages.deadline());
    }

    private AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        UpstreamHttpClient http = new UpstreamHttpClient();
        toClose.add(http);
        return assertTimeoutPreemptively(TEST_BOUND, () -> new AnthropicAdapter(http, clock).send(request));
    }

    private AttemptRequest request(String requested, String upstreamModel, boolean stream,
                                   Map<String, String> clientHeaders) {
        String body = "{\"model\":\"" + requested + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"stream\":" + stream + "}";
        var upstream = new Upstream("fake", AnthropicAdapter.PROVIDER, URI.create(fake.baseUrl()),
                new CredentialSource.ApiKeys(List.of(new Secret(KEY))), 0, true, Set.of(), ModelMappings.NONE, false,
                true);
        return new AttemptRequest(upstream, new Credential.ApiKey(new CredentialKey("fake", "key-1"), new Secret(KEY)),
                InboundFormat.MESSAGES, requested, upstreamModel, body.getBytes(StandardCharsets.UTF_8), stream,
                GENEROUS, clock.instant().plusSeconds(30), clientHeaders);
    }

    private static JsonNode readData(String frame) {
        String data = frame.lines().filter(line -> line.startsWith("data: ")).findFirst().orElseThrow()
                .substring("data: ".length());
        try {
            return JSON.readTree(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(byte[] body) throws Exception {
        return JSON.readTree(body);
    }
}
