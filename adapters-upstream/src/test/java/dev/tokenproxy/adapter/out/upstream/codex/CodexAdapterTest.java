package dev.tokenproxy.adapter.out.upstream.codex;

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
import dev.tokenproxy.application.port.in.ReportUsageUseCase;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.domain.account.UsageSnapshot;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.AttemptOutcome.Fatal;
import dev.tokenproxy.domain.attempt.AttemptOutcome.Success;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.routing.InboundFormat;
import dev.tokenproxy.domain.routing.ModelMappings;
import dev.tokenproxy.testing.CodexReply;
import dev.tokenproxy.testing.FakeCodexBackend;
import dev.tokenproxy.testing.RecordedRequest;
import dev.tokenproxy.testing.ResponsesReply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code codex} adapter against a fake Codex backend that checks the backend's rules over loopback. */
class CodexAdapterTest {

    private static final String TOKEN = "at-codex-account";
    private static final String ACCOUNT_ID = "acct-1234";
    private static final CredentialKey KEY = new CredentialKey("codex-1", "alice");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AttemptTimeouts GENEROUS =
            new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
    private static final Duration TEST_BOUND = Duration.ofSeconds(10);

    private final FakeCodexBackend fake = FakeCodexBackend.start();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    /** Whole seconds, so that an epoch-second reset is an exact number of seconds away. */
    private final Clock clock = Clock.fixed(Instant.now().truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC);
    private final List<Map.Entry<CredentialKey, UsageSnapshot>> reported = new CopyOnWriteArrayList<>();
    private final ReportUsageUseCase usage = (key, snapshot) -> reported.add(Map.entry(key, snapshot));

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

    // --- what the backend receives ----------------------------------------------------------------------------

    @Test
    void sendsTheAccountsTokenAndIdWithTheCodexCliHeaders() {
        send(responses("{\"model\":\"codex\",\"input\":\"hi\",\"stream\":true}", true));

        RecordedRequest sent = fake.requests().getFirst();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/backend-api/codex/responses");
        assertThat(sent.bearerKey()).isEqualTo(TOKEN);
        assertThat(sent.header("chatgpt-account-id")).isEqualTo(ACCOUNT_ID);
        assertThat(sent.header("accept")).isEqualTo("text/event-stream");
        assertThat(sent.header("content-type")).isEqualTo("application/json");
        assertThat(sent.header("originator")).isEqualTo("codex_cli_rs");
        assertThat(sent.header("user-agent")).startsWith("codex_cli_rs/0.50.0 (");
        assertThat(sent.header("openai-beta")).isEqualTo("responses=experimental");
        assertThat(sent.header("session_id")).isNotBlank()
                .isEqualTo(sent.json().path("prompt_cache_key").asText());
    }

    @Test
    void anAccountWithoutAChatGptAccountIdSendsNoAccountHeader() {
        var account = new Credential.Account(KEY, new Secret(TOKEN), Optional.empty(), Map.of());

        send(request(account, InboundFormat.RESPONSES, "{\"model\":\"codex\",\"input\":\"hi\"}", false));

        assertThat(fake.requests().getFirst().headers()).doesNotContainKey("chatgpt-account-id");
    }

    @Test
    void rewritesAResponsesBodyToTheBackendsRules() throws Exception {
        String body = "{\"model\":\"alias\",\"input\":[{\"type\":\"message\",\"role\":\"system\",\"content\":\"Be terse\"},"
                + "{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false,\"store\":true,\"temperature\":0.2,"
                + "\"top_p\":0.9,\"max_output_tokens\":100,\"max_completion_tokens\":100,\"previous_response_id\":\"r1\","
                + "\"prompt_cache_retention\":\"24h\",\"safety_identifier\":\"s\",\"truncation\":\"auto\","
                + "\"user\":\"u\",\"prompt_cache_options\":{},\"stream_options\":{\"include_usage\":true},"
                + "\"context_management\":{},\"service_tier\":\"default\",\"include\":[\"file_search_call.results\"],"
                + "\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"parameters\":{}}]}";

        var reply = buffered(send(request(account(), InboundFormat.RESPONSES, body, false)));

        // The fake answers 400 {"detail"} to any body that breaks a rule: a 200 means the backend took it.
        assertThat(reply.status()).isEqualTo(200);
        JsonNode sent = fake.requests().getFirst().json();
        assertThat(sent.path("model").asText()).isEqualTo("gpt-5-codex");
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.path("store").isBoolean()).isTrue();
        assertThat(sent.path("store").asBoolean()).isFalse();
        assertThat(sent.path("instructions").asText("absent")).isEmpty();
        assertThat(sent.at("/input/0/role").asText()).isEqualTo("developer");
        assertThat(sent.at("/input/1/role").asText()).isEqualTo("user");
        assertThat(sent.has("temperature") || sent.has("top_p") || sent.has("max_output_tokens")
                || sent.has("max_completion_tokens") || sent.has("previous_response_id")
                || sent.has("prompt_cache_retention") || sent.has("safety_identifier") || sent.has("truncation")
                || sent.has("user") || sent.has("prompt_cache_options") || sent.has("stream_options")
                || sent.has("context_management") || sent.has("service_tier")).isFalse();
        assertThat(sent.path("include")).extracting(JsonNode::asText)
                .containsExactly("file_search_call.results", "reasoning.encrypted_content");
        assertThat(sent.at("/tools/0/name").asText()).isEqualTo("f");
    }

    @Test
    void aStringInputBecomesAUserMessageAndGivenInstructionsAndCacheKeyAreKept() throws Exception {
        send(responses("{\"model\":\"codex\",\"instructions\":\"You are Codex.\",\"input\":\"hi\","
                + "\"prompt_cache_key\":\"conv-42\",\"service_tier\":\"priority\"}", false));

        RecordedRequest sent = fake.requests().getFirst();
        assertThat(sent.json().path("instructions").asText()).isEqualTo("You are Codex.");
        assertThat(sent.json().at("/input/0/type").asText()).isEqualTo("message");
        assertThat(sent.json().at("/input/0/role").asText()).isEqualTo("user");
        assertThat(sent.json().at("/input/0/content/0/type").asText()).isEqualTo("input_text");
        assertThat(sent.json().at("/input/0/content/0/text").asText()).isEqualTo("hi");
        assertThat(sent.json().path("service_tier").asText()).isEqualTo("priority");
        assertThat(sent.json().path("prompt_cache_key").asText()).isEqualTo("conv-42");
        assertThat(sent.header("session_id")).isEqualTo("conv-42");
    }

    // --- Responses clients ------------------------------------------------------------------------------------

    @Test
    void aResponsesStreamIsDeliveredAsEventsEndingWithCompleted() {
        fake.defaultReply(CodexReply.ok("Hello streaming codex"));

        var outcome = send(responses("{\"model\":\"codex\",\"input\":\"hi\",\"stream\":true}", true));

        var reply = streaming(outcome);
        assertThat(reply.headers()).containsEntry("content-type", "text/event-stream");
        List<String> frames = drain(reply.stream());
        assertThat(frames.getFirst()).startsWith("event: response.created");
        assertThat(frames.getLast()).startsWith("event: response.completed");
        assertThat(String.join("", frames)).contains("\"delta\":\"streaming \"");
    }

    @Test
    void aNonStreamResponsesClientGetsTheAggregatedResponseObjectAsJson() throws Exception {
        fake.defaultReply(CodexReply.ok("Hello codex"));

        var reply = buffered(send(responses("{\"model\":\"codex\",\"input\":\"hi\"}", false)));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.headers()).containsEntry("content-type", "application/json");
        JsonNode response = json(reply.body());
        assertThat(response.path("object").asText()).isEqualTo("response");
        assertThat(response.path("status").asText()).isEqualTo("completed");
        assertThat(response.at("/output/0/content/0/text").asText()).isEqualTo("Hello codex");
        assertThat(response.at("/usage/output_tokens").asInt()).isEqualTo(2);
    }

    @Test
    void anEmptyCompletedOutputIsRebuiltFromTheItemsTheStreamCarried() throws Exception {
        fake.defaultReply(CodexReply.okWithOutputOnlyInItems("from the items"));

        var reply = buffered(send(responses("{\"model\":\"codex\",\"input\":\"hi\"}", false)));

        assertThat(json(reply.body()).at("/output/0/content/0/text").asText()).isEqualTo("from the items");
    }

    @Test
    void theClientsModelIsEchoedWhenTheUpstreamAsksForIt() throws Exception {
        var upstream = upstream(true);
        var request = new AttemptRequest(upstream, account(), InboundFormat.RESPONSES, "my-alias", "gpt-5-codex",
                bytes("{\"model\":\"my-alias\",\"input\":\"hi\"}"), false, GENEROUS, clock.instant().plusSeconds(30));

        assertThat(json(buffered(send(request)).body()).path("model").asText()).isEqualTo("my-alias");
    }

    // --- Chat clients by conversion ---------------------------------------------------------------------------

    @Test
    void aChatRequestIsConvertedWithItsSystemTextAsADeveloperMessageAndAnsweredAsACompletion() throws Exception {
        fake.defaultReply(CodexReply.okWithOutputOnlyInItems("Hi from codex"));

        JsonNode completion = json(buffered(send(chat(false))).body());

        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.at("/choices/0/message/content").asText()).isEqualTo("Hi from codex");
        assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode sent = fake.requests().getFirst().json();
        assertThat(sent.path("instructions").asText("absent")).isEmpty();
        assertThat(sent.at("/input/0/role").asText()).isEqualTo("developer");
        assertThat(sent.at("/input/0/content/0/text").asText()).isEqualTo("Be brief.");
        assertThat(sent.at("/input/1/role").asText()).isEqualTo("user");
        assertThat(sent.has("max_output_tokens")).isFalse();
        assertThat(sent.path("stream").asBoolean()).isTrue();
    }

    @Test
    void aChatStreamGetsChatChunksUsageAndDone() throws Exception {
        fake.defaultReply(CodexReply.ok("Hello streaming world"));

        List<String> frames = drain(streaming(send(chat(true))).stream());

        assertThat(frames.getLast()).isEqualTo("data: [DONE]\n\n");
        StringBuilder content = new StringBuilder();
        for (String frame : frames.subList(0, frames.size() - 1)) {
            content.append(json(bytes(frame.substring("data: ".length()).strip()))
                    .at("/choices/0/delta/content").asText(""));
        }
        assertThat(content.toString()).isEqualTo("Hello streaming world");
        assertThat(frames.get(frames.size() - 2)).contains("\"usage\"");
    }

    @Test
    void aChatClientGetsAFunctionCallAsToolCalls() throws Exception {
        fake.defaultReply(CodexReply.functionCall("call_1", "get_weather", "{\"city\":\"Oslo\"}"));

        JsonNode completion = json(buffered(send(chat(false))).body());

        assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(completion.at("/choices/0/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(completion.at("/choices/0/message/tool_calls/0/function/arguments").asText())
                .isEqualTo("{\"city\":\"Oslo\"}");
    }

    // --- failures ---------------------------------------------------------------------------------------------

    @Test
    void anEmptyOutputIsAnEmptyCompletionWithStatus502AndNoCooldown() {
        fake.script(TOKEN, CodexReply.emptyOutput(), CodexReply.emptyOutput());

        var whole = assertRetryable(send(responses("{\"model\":\"codex\",\"input\":\"hi\"}", false)),
                RetryReason.EMPTY_COMPLETION);
        var streamed = assertRetryable(send(chat(true)), RetryReason.EMPTY_COMPLETION);

        for (var retry : List.of(whole, streamed)) {
            assertThat(retry.status()).isEqualTo(502);
            assertThat(retry.cooldown()).isEqualTo(CooldownRule.NONE);
        }
    }

    @Test
    void anExpiredTokenIsARejectedCredentialWithStatus401() {
        fake.script(TOKEN, CodexReply.tokenExpired());

        var retry = assertRetryable(send(chat(false)), RetryReason.CREDENTIAL_REJECTED);

        assertThat(retry.status()).isEqualTo(401);
        assertThat(retry.cooldown()).isEqualTo(CooldownRule.CREDENTIAL);
    }

    @Test
    void aSpentUsageLimitCoolsTheAccountUntilItsReset() {
        fake.script(TOKEN, CodexReply.usageLimitReached("plus", clock.instant().plusSeconds(3600),
                Duration.ofSeconds(3600)));

        var retry = assertRetryable(send(chat(true)), RetryReason.RATE_LIMITED);

        assertThat(retry.status()).isEqualTo(429);
        assertThat(retry.cooldown()).isEqualTo(new CooldownRule.Hinted(Duration.ofSeconds(3600)));
    }

    @Test
    void aUsageLimitWithOnlyItsResetTimeCoolsUntilThenByTheInjectedClock() {
        fake.script(TOKEN, CodexReply.of(ResponsesReply.status(429, "{\"error\":{\"type\":\"usage_limit_reached\","
                + "\"message\":\"The usage limit has been reached\",\"resets_at\":"
                + clock.instant().plusSeconds(1800).getEpochSecond() + "}}").withHeader("Retry-After", "60")));

        var retry = assertRetryable(send(chat(false)), RetryReason.RATE_LIMITED);

        assertThat(retry.cooldown()).isEqualTo(new CooldownRule.Hinted(Duration.ofSeconds(1800)));
    }

    @Test
    void aPlanWithoutCodexIsARejectedCredentialThatCoolsForTheCredentialPeriod() {
        fake.script(TOKEN, CodexReply.usageNotIncluded());

        var retry = assertRetryable(send(chat(false)), RetryReason.CREDENTIAL_REJECTED);

        assertThat(retry.status()).isEqualTo(429);
        assertThat(retry.cooldown()).isEqualTo(CooldownRule.CREDENTIAL);
    }

    @Test
    void aServerErrorIsRetryable() {
        fake.script(TOKEN, CodexReply.serverError(502));

        var retry = assertRetryable(send(chat(false)), RetryReason.SERVER_ERROR);

        assertThat(retry.cooldown()).isEqualTo(CooldownRule.TRANSIENT);
    }

    @Test
    void anErrorBeforeOutputIsRetryableAndInvisible() {
        fake.script(TOKEN, CodexReply.errorBeforeOutput("server_error", "boom"),
                CodexReply.failedBeforeOutput("server_is_overloaded", "busy"));

        assertRetryable(send(responses("{\"model\":\"codex\",\"input\":\"hi\"}", true)),
                RetryReason.STREAM_FAILED_BEFORE_OUTPUT);
        var overloaded = assertRetryable(send(chat(true)), RetryReason.SERVER_ERROR);
        assertThat(overloaded.status()).isEqualTo(503);
    }

    @Test
    void responseFailedCodesAfter200AreClassifiedByCode() throws Exception {
        fake.script(TOKEN, CodexReply.of(ResponsesReply.rateLimitExceeded(Duration.ofMillis(11_500))),
                CodexReply.of(ResponsesReply.contextLengthExceeded()),
                CodexReply.failedBeforeOutput("usage_not_included", "no codex on this plan"));

        var limited = assertRetryable(send(chat(false)), RetryReason.RATE_LIMITED);
        var tooLong = send(chat(false));
        var notIncluded = assertRetryable(send(chat(false)), RetryReason.CREDENTIAL_REJECTED);

        assertThat(limited.cooldown()).isEqualTo(new CooldownRule.Hinted(Duration.ofMillis(11_500)));
        assertThat(tooLong).isInstanceOf(Fatal.class);
        var fatal = (UpstreamReply.Buffered) ((Fatal<UpstreamReply>) tooLong).response();
        assertThat(fatal.status()).isEqualTo(400);
        assertThat(json(fatal.body()).at("/error/code").asText()).isEqualTo("context_length_exceeded");
        assertThat(notIncluded.cooldown()).isEqualTo(CooldownRule.CREDENTIAL);
    }

    @Test
    void anErrorAfterOutputEndsAResponsesStreamWithResponseFailedAndIsNotReplayed() throws Exception {
        fake.script(TOKEN, CodexReply.failedAfterOutput(2, "one two three", "server_is_overloaded", "busy"));

        List<String> frames = drain(streaming(send(responses("{\"model\":\"codex\",\"input\":\"hi\"}", true)))
                .stream());

        assertThat(frames.getLast()).startsWith("event: response.failed");
        assertThat(frames).noneMatch(frame -> frame.startsWith("event: response.completed"));
        assertThat(String.join("", frames)).contains("\"delta\":\"one \"");
        JsonNode failed = json(bytes(frames.getLast().lines().filter(line -> line.startsWith("data: "))
                .findFirst().orElseThrow().substring("data: ".length())));
        assertThat(failed.at("/response/error/code").asText()).isEqualTo("server_is_overloaded");
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void anErrorAfterOutputEndsAChatStreamWithAnErrorChunkThenDone() {
        fake.script(TOKEN, CodexReply.failedAfterOutput(2, "one two three", "server_is_overloaded", "busy"));

        List<String> frames = drain(streaming(send(chat(true))).stream());

        assertThat(frames.getLast()).isEqualTo("data: [DONE]\n\n");
        assertThat(frames.get(frames.size() - 2)).contains("\"error\"");
        assertThat(frames).noneMatch(frame -> frame.contains("\"finish_reason\":\"stop\""));
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void aNonStreamClientWhoseStreamFailedAfterOutputGetsARetryableFailure() {
        fake.script(TOKEN, CodexReply.failedAfterOutput(2, "one two three", "server_is_overloaded", "busy"));

        var retry = assertRetryable(send(chat(false)), RetryReason.SERVER_ERROR);

        assertThat(retry.status()).isEqualTo(503);
    }

    @Test
    void aDetailRejectionIsDeliveredAsAnOpenAiShapedError() throws Exception {
        fake.script(TOKEN, CodexReply.detail(400, "Unsupported parameter: frequency_penalty"));

        var outcome = send(chat(false));

        assertThat(outcome).isInstanceOf(Success.class);
        var reply = (UpstreamReply.Buffered) ((Success<UpstreamReply>) outcome).response();
        assertThat(reply.status()).isEqualTo(400);
        JsonNode error = json(reply.body()).path("error");
        assertThat(error.path("message").asText()).isEqualTo("Unsupported parameter: frequency_penalty");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    }

    // --- usage windows ----------------------------------------------------------------------------------------

    @Test
    void reportsTheUsageWindowsOfA200AndOfA429() {
        Instant primaryReset = clock.instant().plusSeconds(600);
        Instant secondaryReset = clock.instant().plusSeconds(86_400);
        fake.script(TOKEN,
                CodexReply.ok("fine").withPrimaryWindow(42.5, 300, primaryReset)
                        .withSecondaryWindow(10, 10_080, secondaryReset),
                CodexReply.usageLimitReached("plus", primaryReset, Duration.ofSeconds(600))
                        .withPrimaryWindow(100, 300, primaryReset));

        send(chat(false));
        send(chat(false));

        assertThat(reported).hasSize(2).allSatisfy(entry -> assertThat(entry.getKey()).isEqualTo(KEY));
        UsageSnapshot first = reported.get(0).getValue();
        assertThat(first.observedAt()).isEqualTo(clock.instant());
        assertThat(first.primary()).hasValueSatisfying(window -> {
            assertThat(window.usedPercent()).isEqualTo(42.5);
            assertThat(window.length()).hasValue(Duration.ofMinutes(300));
            assertThat(window.resetsAt()).hasValue(primaryReset);
        });
        assertThat(first.secondary()).hasValueSatisfying(window -> {
            assertThat(window.usedPercent()).isEqualTo(10.0);
            assertThat(window.length()).hasValue(Duration.ofDays(7));
            assertThat(window.resetsAt()).hasValue(secondaryReset);
        });
        UsageSnapshot spent = reported.get(1).getValue();
        assertThat(spent.secondary()).isEmpty();
        assertThat(spent.exhaustedUntil()).hasValue(primaryReset);
    }

    @Test
    void aResetGivenInSecondsIsMeasuredFromTheAnswer() {
        fake.script(TOKEN, CodexReply.ok("fine").withHeader("x-codex-primary-used-percent", "5")
                .withHeader("x-codex-primary-reset-after-seconds", "120"));

        send(chat(false));

        assertThat(reported.getFirst().getValue().primary().orElseThrow().resetsAt())
                .hasValue(clock.instant().plusSeconds(120));
    }

    @Test
    void anAnswerWithoutUsageHeadersReportsNothing() {
        send(chat(false));

        assertThat(reported).isEmpty();
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    private AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        UpstreamHttpClient http = new UpstreamHttpClient();
        toClose.add(http);
        return assertTimeoutPreemptively(TEST_BOUND, () -> new CodexAdapter(http, clock, usage).send(request));
    }

    private AttemptRequest responses(String body, boolean stream) {
        return request(account(), InboundFormat.RESPONSES, body, stream);
    }

    private AttemptRequest chat(boolean stream) {
        String body = "{\"model\":\"codex\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":50,\"stream\":" + stream
                + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "") + "}";
        return request(account(), InboundFormat.CHAT, body, stream);
    }

    private AttemptRequest request(Credential credential, InboundFormat format, String body, boolean stream) {
        return new AttemptRequest(upstream(false), credential, format, "codex", "gpt-5-codex", bytes(body), stream,
                GENEROUS, clock.instant().plusSeconds(30));
    }

    private Upstream upstream(boolean echoRequestedModel) {
        return new Upstream("codex-1", CodexAdapter.PROVIDER, URI.create(fake.baseUrl()),
                new CredentialSource.AccountPool(List.of()), 0, true, Set.of(), ModelMappings.NONE, echoRequestedModel,
                true);
    }

    private static Credential.Account account() {
        return new Credential.Account(KEY, new Secret(TOKEN), Optional.empty(), Map.of("chatgpt_account_id", ACCOUNT_ID));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode json(byte[] body) throws Exception {
        return JSON.readTree(body);
    }
}
