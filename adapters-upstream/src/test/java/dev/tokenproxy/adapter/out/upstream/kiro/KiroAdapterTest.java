package dev.tokenproxy.adapter.out.upstream.kiro;

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
import dev.tokenproxy.testing.FakeKiroUpstream;
import dev.tokenproxy.testing.KiroFrames;
import dev.tokenproxy.testing.KiroReply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code kiro} adapter against a fake Kiro upstream speaking real AWS event-stream frames. */
class KiroAdapterTest {

    private static final String TOKEN = "kiro-access-a";
    private static final String PROFILE_ARN = "arn:aws:codewhisperer:us-east-1:123456789012:profile/TEST";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AttemptTimeouts GENEROUS =
            new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
    private static final Duration TEST_BOUND = Duration.ofSeconds(10);

    private final FakeKiroUpstream fake = FakeKiroUpstream.start();
    private final UpstreamHttpClient http = new UpstreamHttpClient();
    private final Clock clock = Clock.systemUTC();
    private final KiroAdapter adapter = new KiroAdapter(http, clock);

    @BeforeAll
    static void warmUp() throws Exception {
        ClientWarmUp.once();
    }

    @AfterEach
    void closeEverything() {
        http.close();
        fake.close();
    }

    @Test
    void sendsTheAccessTokenAndProfileToCodeWhispererAndAnswersOneMessage() throws Exception {
        fake.defaultReply(KiroReply.ok("Hello from Kiro"));

        var outcome = send(request(false, social()));

        JsonNode message = json(buffered(outcome).body());
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.at("/content/0/text").asText()).isEqualTo("Hello from Kiro");
        assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(message.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(message.at("/usage/input_tokens").asLong()).isPositive();
        var sent = fake.requests().getFirst();
        assertThat(sent.path()).isEqualTo(FakeKiroUpstream.PATH);
        assertThat(sent.header("authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(sent.header("x-amz-target")).isEqualTo(FakeKiroUpstream.CODEWHISPERER_TARGET);
        assertThat(sent.json().path("profileArn").asText()).isEqualTo(PROFILE_ARN);
        assertThat(sent.json().at("/conversationState/currentMessage/userInputMessage/modelId").asText())
                .isEqualTo("claude-sonnet-4.5");
        assertThat(sent.json().at("/conversationState/currentMessage/userInputMessage/origin").asText())
                .isEqualTo("AI_EDITOR");
    }

    @Test
    void streamsAnthropicEventsFromKiroFrames() {
        fake.defaultReply(KiroReply.reasoningThenText("Let me think", "Paris").inPiecesOf(7));

        var reply = streaming(send(request(true, social())));

        assertThat(reply.headers()).containsEntry("content-type", "text/event-stream");
        String body = String.join("", drain(reply.stream()));
        assertThat(eventNames(body)).containsExactly("message_start", "content_block_start", "content_block_delta",
                "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop");
        assertThat(body).contains("\"thinking\":\"Let me think\"").contains("\"text\":\"Paris\"");
    }

    @Test
    void answersFromAmazonQWithinTheAttemptWhenCodeWhispererIsThrottled() throws Exception {
        fake.scriptTarget(FakeKiroUpstream.CODEWHISPERER_TARGET, TOKEN, KiroReply.throttled());
        fake.scriptTarget(FakeKiroUpstream.AMAZON_Q_TARGET, TOKEN, KiroReply.ok("From Q"));

        var outcome = send(request(false, social()));

        assertThat(json(buffered(outcome).body()).at("/content/0/text").asText()).isEqualTo("From Q");
        assertThat(fake.requests()).extracting(r -> r.header("x-amz-target"))
                .containsExactly(FakeKiroUpstream.CODEWHISPERER_TARGET, FakeKiroUpstream.AMAZON_Q_TARGET);
        assertThat(fake.requests().get(1).json()
                .at("/conversationState/currentMessage/userInputMessage/origin").asText()).isEqualTo("CLI");
    }

    @Test
    void anIdcAccountUsesOnlyTheFirstEndpoint() {
        fake.scriptTarget(FakeKiroUpstream.CODEWHISPERER_TARGET, TOKEN, KiroReply.throttled());

        var outcome = send(request(false, Map.of(KiroTokenRefresher.CLIENT_ID, "client",
                KiroTokenRefresher.CLIENT_SECRET, "secret")));

        assertRetryable(outcome, RetryReason.RATE_LIMITED);
        assertThat(fake.requests()).hasSize(1);
        assertThat(fake.requests().getFirst().header("x-amzn-kiro-agent-mode")).isEqualTo("spec");
    }

    @Test
    void anInvalidBearerTokenIsReportedAs401SoTheLoopRefreshes() throws Exception {
        fake.script(TOKEN, KiroReply.bearerTokenInvalid());

        var retry = assertRetryable(send(request(false, social())), RetryReason.CREDENTIAL_REJECTED);

        assertThat(retry.status()).isEqualTo(401);
        assertThat(json(((UpstreamReply.Buffered) retry.response()).body()).at("/error/type").asText())
                .isEqualTo("authentication_error");
    }

    @Test
    void aSuspendedAccountIsReportedAsSuspendedAndRestsForADay() {
        fake.script(TOKEN, KiroReply.suspended());

        // ACCOUNT_SUSPENDED: the failover loop disables the account in the store; the day's cooldown covers the
        // moment before that write, and an account whose store cannot be written.
        var retry = assertRetryable(send(request(false, social())), RetryReason.ACCOUNT_SUSPENDED);

        assertThat(retry.status()).isEqualTo(403);
        assertThat(retry.cooldown()).isEqualTo(new CooldownRule.Hinted(KiroAdapter.SUSPENDED_COOLDOWN));
    }

    @Test
    void aSpentMonthlyQuotaCoolsTheAccount() {
        fake.script(TOKEN, KiroReply.monthlyLimitReached());

        var retry = assertRetryable(send(request(false, social())), RetryReason.CREDENTIAL_REJECTED);

        assertThat(retry.cooldown()).isEqualTo(CooldownRule.CREDENTIAL);
    }

    @Test
    void aPromptTooLongIsFatalWithAnAnthropicError() throws Exception {
        fake.script(TOKEN, KiroReply.inputTooLong());

        var outcome = send(request(false, social()));

        assertThat(outcome).isInstanceOf(AttemptOutcome.Fatal.class);
        var reply = (UpstreamReply.Buffered) ((AttemptOutcome.Fatal<UpstreamReply>) outcome).response();
        assertThat(reply.status()).isEqualTo(400);
        assertThat(json(reply.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(json(reply.body()).at("/error/message").asText()).isEqualTo("Input is too long.");
    }

    @Test
    void aServerErrorIsRetryableWithoutTryingTheOtherEndpoint() {
        fake.script(TOKEN, KiroReply.highLoad());

        assertRetryable(send(request(false, social())), RetryReason.SERVER_ERROR);
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void aCorruptFrameBeforeOutputFailsTheAttemptInvisibly() {
        fake.script(TOKEN, KiroReply.corruptFrameBeforeOutput());

        var retry = assertRetryable(send(request(true, social())), RetryReason.STREAM_FAILED_BEFORE_OUTPUT);

        assertThat(retry.response()).isNull();
    }

    @Test
    void aCorruptFrameAfterOutputEndsTheStreamWithAnErrorEvent() {
        fake.script(TOKEN, KiroReply.corruptFrameAfter("Partial answer"));

        var reply = streaming(send(request(true, social())));

        var frames = drain(reply.stream());
        assertThat(frames.getLast()).startsWith("event: error");
        assertThat(String.join("", frames)).doesNotContain("message_stop");
    }

    @Test
    void anExceptionFrameBeforeOutputIsRetryable() {
        fake.script(TOKEN, KiroReply.exceptionFrame("ThrottlingException", "slow down"));

        assertRetryable(send(request(true, social())), RetryReason.STREAM_FAILED_BEFORE_OUTPUT);
    }

    @Test
    void anAnswerWithoutOutputIsAnEmptyCompletion() {
        fake.script(TOKEN, KiroReply.meteringOnly());

        var retry = assertRetryable(send(request(false, social())), RetryReason.EMPTY_COMPLETION);

        assertThat(retry.status()).isEqualTo(502);
    }

    @Test
    void aNonStreamAnswerCutAfterOutputIsNotDeliveredAsComplete() {
        fake.script(TOKEN, KiroReply.cutAfterOutput("Half an answer"));

        assertRetryable(send(request(false, social())), RetryReason.STREAM_FAILED_BEFORE_OUTPUT);
    }

    @Test
    void aToolCallComesBackAsOneToolUseBlockWithItsInputJoined() throws Exception {
        fake.script(TOKEN, KiroReply.toolUse("Checking.", "tooluse_1", "get_weather", "{\"city\":", "\"Paris\"}"));

        JsonNode message = json(buffered(send(request(false, social()))).body());

        assertThat(message.at("/content/0/text").asText()).isEqualTo("Checking.");
        assertThat(message.at("/content/1/type").asText()).isEqualTo("tool_use");
        assertThat(message.at("/content/1/id").asText()).isEqualTo("tooluse_1");
        assertThat(message.at("/content/1/name").asText()).isEqualTo("get_weather");
        assertThat(message.at("/content/1/input/city").asText()).isEqualTo("Paris");
        assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
    }

    @Test
    void theAmazonQEndpointIsTheSiblingHostOfCodeWhisperer() {
        var endpoints = KiroEndpoint.forBase(URI.create("https://codewhisperer.us-east-1.amazonaws.com"), false);

        assertThat(endpoints).extracting(e -> e.uri().toString()).containsExactly(
                "https://codewhisperer.us-east-1.amazonaws.com/generateAssistantResponse",
                "https://q.us-east-1.amazonaws.com/generateAssistantResponse");
    }

    @Test
    void readsTokenUsageWhenKiroReportsIt() throws Exception {
        fake.script(TOKEN, KiroReply.frames(KiroFrames.text("Hi"), KiroFrames.tokenUsage(11, 3, 2)));

        JsonNode message = json(buffered(send(request(false, social()))).body());

        assertThat(message.at("/usage/input_tokens").asLong()).isEqualTo(11);
        assertThat(message.at("/usage/output_tokens").asLong()).isEqualTo(2);
    }

    @Test
    void answersAChatClientWithOneCompletionConvertedFromKirosAnswer() throws Exception {
        fake.script(TOKEN, KiroReply.frames(KiroFrames.text("Hello from Kiro"), KiroFrames.tokenUsage(11, 3, 2)));

        JsonNode completion = json(buffered(send(chatRequest(false, ""))).body());

        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(completion.at("/choices/0/message/content").asText()).isEqualTo("Hello from Kiro");
        assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(completion.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        // Chat's prompt count includes the cached part that Messages counts apart: 11 uncached + 3 read.
        assertThat(completion.at("/usage/prompt_tokens").asLong()).isEqualTo(14);
        assertThat(completion.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(3);
        assertThat(completion.at("/usage/completion_tokens").asLong()).isEqualTo(2);
        var sent = fake.requests().getFirst().json();
        assertThat(sent.at("/conversationState/currentMessage/userInputMessage/content").asText()).contains("hi");
        assertThat(sent.at("/conversationState/currentMessage/userInputMessage/modelId").asText())
                .isEqualTo("claude-sonnet-4.5");
    }

    @Test
    void streamsChatChunksConvertedFromKiroFramesWithTheUsageChunkAndDone() throws Exception {
        fake.defaultReply(KiroReply.reasoningThenText("Let me think", "Paris").inPiecesOf(7));

        var reply = streaming(send(chatRequest(true, ",\"stream_options\":{\"include_usage\":true}")));

        assertThat(reply.headers()).containsEntry("content-type", "text/event-stream");
        List<JsonNode> chunks = chatChunks(String.join("", drain(reply.stream())));
        assertThat(chunks).allSatisfy(chunk ->
                assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk"));
        assertThat(chunks.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(chunks.stream().map(c -> c.at("/choices/0/delta/reasoning_content").asText("")))
                .contains("Let me think");
        assertThat(chunks.stream().map(c -> c.at("/choices/0/delta/content").asText(""))).contains("Paris");
        assertThat(chunks.stream().map(c -> c.at("/choices/0/finish_reason").asText(""))).contains("stop");
        assertThat(chunks.getLast().path("usage").path("completion_tokens").isNumber()).isTrue();
    }

    @Test
    void aChatStreamEndsWithDoneAndAChatErrorWhenKiroBreaksAfterOutput() {
        fake.script(TOKEN, KiroReply.corruptFrameAfter("Partial answer"));

        var frames = drain(streaming(send(chatRequest(true, ""))).stream());

        assertThat(frames.getLast()).isEqualTo("data: [DONE]\n\n");
        assertThat(frames.get(frames.size() - 2)).startsWith("data: {\"error\":");
        assertThat(String.join("", frames)).contains("\"content\":\"answer\"")
                .doesNotContain("finish_reason\":\"stop");
    }

    @Test
    void aChatStreamThatFailsBeforeOutputIsRetryableAndShowsNothing() {
        fake.script(TOKEN, KiroReply.corruptFrameBeforeOutput());

        var retry = assertRetryable(send(chatRequest(true, "")), RetryReason.STREAM_FAILED_BEFORE_OUTPUT);

        assertThat(retry.response()).isNull();
    }

    @Test
    void aToolCallReachesAChatClientAsToolCalls() throws Exception {
        fake.script(TOKEN, KiroReply.toolUse("Checking.", "tooluse_1", "get_weather", "{\"city\":", "\"Paris\"}"));

        JsonNode completion = json(buffered(send(chatRequest(false, ""))).body());

        assertThat(completion.at("/choices/0/message/content").asText()).isEqualTo("Checking.");
        assertThat(completion.at("/choices/0/message/tool_calls/0/id").asText()).isEqualTo("tooluse_1");
        assertThat(completion.at("/choices/0/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(json(completion.at("/choices/0/message/tool_calls/0/function/arguments").asText()
                .getBytes(StandardCharsets.UTF_8)).path("city").asText()).isEqualTo("Paris");
        assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(fake.requests().getFirst().json().toString()).contains("get_weather");
    }

    @Test
    void aStreamedToolCallReachesAChatClientAsToolCallDeltas() {
        fake.script(TOKEN, KiroReply.toolUse("Checking.", "tooluse_1", "get_weather", "{\"city\":", "\"Paris\"}"));

        List<JsonNode> chunks = chatChunks(String.join("", drain(streaming(send(chatRequest(true, ""))).stream())));

        assertThat(chunks.stream().map(c -> c.at("/choices/0/delta/tool_calls/0/id").asText("")))
                .contains("tooluse_1");
        assertThat(chunks.stream().map(c -> c.at("/choices/0/delta/tool_calls/0/function/arguments").asText(""))
                .reduce("", String::concat)).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(chunks.stream().map(c -> c.at("/choices/0/finish_reason").asText(""))).contains("tool_calls");
    }

    @Test
    void aKiroRefusalReachesAChatClientInOpenAisErrorShape() throws Exception {
        fake.script(TOKEN, KiroReply.inputTooLong());

        var outcome = send(chatRequest(false, ""));

        assertThat(outcome).isInstanceOf(AttemptOutcome.Fatal.class);
        JsonNode error = json(((UpstreamReply.Buffered) ((AttemptOutcome.Fatal<UpstreamReply>) outcome).response())
                .body());
        assertThat(error.path("type").isMissingNode()).isTrue();
        assertThat(error.at("/error/message").asText()).isNotBlank();
    }

    private AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        return assertTimeoutPreemptively(TEST_BOUND, () -> adapter.send(request));
    }

    private static Map<String, String> social() {
        return Map.of(KiroTokenRefresher.PROFILE_ARN, PROFILE_ARN);
    }

    private AttemptRequest request(boolean stream, Map<String, String> attributes) {
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}],"
                + "\"stream\":" + stream + "}";
        var upstream = new Upstream("kiro-pool", KiroAdapter.PROVIDER, URI.create(fake.baseUrl()),
                new CredentialSource.AccountPool(List.of()), 0, true, Set.of(), ModelMappings.NONE, false, true);
        var credential = new Credential.Account(new CredentialKey("kiro-pool", "kiro-a"), new Secret(TOKEN),
                Optional.empty(), attributes);
        return new AttemptRequest(upstream, credential, InboundFormat.MESSAGES, "claude-sonnet-4-5",
                "claude-sonnet-4-5", body.getBytes(StandardCharsets.UTF_8), stream, GENEROUS,
                clock.instant().plusSeconds(30));
    }

    /** A Chat client's request, with one function tool; {@code extra} is appended to the body's fields. */
    private AttemptRequest chatRequest(boolean stream, String extra) {
        String body = "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{"
                + "\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}],\"stream\":" + stream + extra + "}";
        AttemptRequest messages = request(stream, social());
        return new AttemptRequest(messages.upstream(), messages.credential(), InboundFormat.CHAT, "claude-sonnet-4-5",
                "claude-sonnet-4-5", body.getBytes(StandardCharsets.UTF_8), stream, GENEROUS,
                clock.instant().plusSeconds(30));
    }

    private static List<JsonNode> chatChunks(String sse) {
        return sse.lines().filter(line -> line.startsWith("data: {")).map(line -> {
            try {
                return JSON.readTree(line.substring(6));
            } catch (Exception e) {
                throw new AssertionError(line, e);
            }
        }).toList();
    }

    private static List<String> eventNames(String sse) {
        return sse.lines().filter(line -> line.startsWith("event: ")).map(line -> line.substring(7)).toList();
    }

    private static JsonNode json(byte[] body) throws Exception {
        return JSON.readTree(body);
    }
}
