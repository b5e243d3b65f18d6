package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicException;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.TextDelta;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenproxy.testing.AnthropicReply;
import dev.tokenproxy.testing.FakeAnthropicUpstream;
import dev.tokenproxy.testing.FakeKiroRefreshEndpoint;
import dev.tokenproxy.testing.FakeKiroUpstream;
import dev.tokenproxy.testing.KiroReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool of Kiro accounts behind the running gateway, called with the official Anthropic Java SDK (its own retries
 * off, so every attempt is the gateway's): accounts {@code a} and {@code b} in the store written by the test, a fake
 * Kiro upstream speaking real event-stream frames, a fake Kiro refresh endpoint, and an {@code anthropic} upstream
 * as the next one. A pinned Kiro upstream sits between them: the reference system fails it with "account is not
 * configured" once the pool's own attempts have cooled every account; here it is skipped and the next upstream runs.
 */
class KiroAccountsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "claude-sonnet-4-5";
    private static final String TOKEN_A = "kiro-at-a";
    private static final String TOKEN_B = "kiro-at-b";
    private static final String ARN_A = "arn:aws:codewhisperer:us-east-1:111111111111:profile/A";
    private static final String ARN_B = "arn:aws:codewhisperer:us-east-1:222222222222:profile/B";

    @TempDir
    Path folder;

    private final FakeKiroUpstream kiro = FakeKiroUpstream.start();
    private final FakeKiroRefreshEndpoint refresh = FakeKiroRefreshEndpoint.start();
    private final FakeAnthropicUpstream anthropic = FakeAnthropicUpstream.start();
    private GatewayUnderTest gateway;
    private AnthropicClient sdk;

    @AfterEach
    void stop() {
        if (sdk != null) {
            sdk.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        kiro.close();
        refresh.close();
        anthropic.close();
    }

    // ---- harness ---------------------------------------------------------------------------------------------

    private static String account(String id, String accessToken, String profileArn) {
        return """
                { "id": "%s", "provider": "kiro", "status": "active", "access_token": "%s",
                  "refresh_token": "kiro-rt-%s", "expires_at": "%s", "profile_arn": "%s" }"""
                .formatted(id, accessToken, id, Instant.now().plusSeconds(3600), profileArn);
    }

    private void startGateway() {
        write("accounts.json", "{ \"accounts\": [" + account("a", TOKEN_A, ARN_A) + ","
                + account("b", TOKEN_B, ARN_B) + "] }");
        refresh.acceptSocialRefreshToken("kiro-rt-a", ARN_A).acceptSocialRefreshToken("kiro-rt-b", ARN_B);
        gateway = GatewayUnderTest.start(folder, """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                accounts_file: ./accounts.json
                oauth: { kiro_refresh_url: "%s" }
                timeouts: { connect_seconds: 2, first_output_seconds: 5, idle_seconds: 5 }
                upstreams:
                  - { id: kiro-pool, provider: kiro, base_url: "%s", accounts: all, priority: 10 }
                  - { id: kiro-a, provider: kiro, base_url: "%s", account: a, priority: 5 }
                  - { id: claude, provider: anthropic, base_url: "%s", api_keys: ["k-claude"] }
                """.formatted(refresh.socialUrl(), kiro.baseUrl(), kiro.baseUrl(), anthropic.baseUrl()), Map.of());
        sdk = AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey(GatewayUnderTest.LOCAL_KEY)
                .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
    }

    private void write(String name, String text) {
        try {
            Files.writeString(folder.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode storedAccount(String id) {
        try {
            for (JsonNode account : JSON.readTree(folder.resolve("accounts.json").toFile()).path("accounts")) {
                if (id.equals(account.path("id").asText())) {
                    return account;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no account " + id + " in the store");
    }

    private static MessageCreateParams params() {
        return MessageCreateParams.builder().model(MODEL).maxTokens(256).system("Answer briefly.")
                .addUserMessage("Say hello").build();
    }

    private static String text(Message message) {
        return message.content().stream().flatMap(block -> block.text().stream()).map(TextBlock::text)
                .collect(Collectors.joining());
    }

    private List<RawMessageStreamEvent> stream(List<RawMessageStreamEvent> into) {
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(params())) {
            stream.stream().forEach(into::add);
        }
        return into;
    }

    private static String deltas(List<RawMessageStreamEvent> events) {
        return events.stream().flatMap(event -> event.contentBlockDelta().stream())
                .flatMap(delta -> delta.delta().text().stream()).map(TextDelta::text).collect(Collectors.joining());
    }

    // ---- scenarios -------------------------------------------------------------------------------------------

    @Test
    void theFirstAccountAnswersAMessageAndAStreamWithItsTokenAndProfile() {
        kiro.defaultReply(KiroReply.ok("Hello from Kiro"));
        startGateway();

        Message message = sdk.messages().create(params());
        var events = stream(new ArrayList<>());

        assertThat(text(message)).isEqualTo("Hello from Kiro");
        assertThat(message.usage().outputTokens()).isPositive();
        assertThat(deltas(events)).isEqualTo("Hello from Kiro");
        assertThat(events.getFirst().isMessageStart()).isTrue();
        assertThat(events.getLast().isMessageStop()).isTrue();
        assertThat(kiro.requestsWithToken(TOKEN_A)).hasSize(2)
                .allSatisfy(sent -> assertThat(sent.json().path("profileArn").asText()).isEqualTo(ARN_A));
        var sent = kiro.requests().getFirst().json();
        assertThat(sent.at("/conversationState/currentMessage/userInputMessage/content").asText())
                .contains("Answer briefly.").contains("Say hello");
        assertThat(anthropic.requests()).isEmpty();
    }

    @Test
    void aRefusedFirstAccountIsInvisibleWhenTheSecondAnswersAndTheNextUpstreamIsNotCalled() {
        kiro.script(TOKEN_A, KiroReply.suspended());
        kiro.script(TOKEN_B, KiroReply.ok("Hello from b"), KiroReply.ok("Streamed from b"));
        startGateway();

        assertThat(text(sdk.messages().create(params()))).isEqualTo("Hello from b");
        // a is disabled now, for the operator to see in the store: the stream goes to b at once.
        assertThat(storedAccount("a").path("status").asText()).isEqualTo("disabled");
        assertThat(deltas(stream(new ArrayList<>()))).isEqualTo("Streamed from b");

        assertThat(kiro.requestsWithToken(TOKEN_A)).hasSize(1);
        assertThat(anthropic.requests()).isEmpty();
    }

    @Test
    void everyKiroAccountFailingLetsTheNextUpstreamAnswerInsteadOfAnAccountError() {
        kiro.defaultReply(KiroReply.monthlyLimitReached());
        anthropic.defaultReply(AnthropicReply.ok("Hello from Claude"));
        startGateway();

        assertThat(text(sdk.messages().create(params()))).isEqualTo("Hello from Claude");
        // Every Kiro credential now cools: the next request goes past both Kiro upstreams without an account error.
        assertThat(deltas(stream(new ArrayList<>()))).isEqualTo("Hello from Claude");

        // The pool tried a and b, the pinned upstream a (its cooldowns are its own), each once in all.
        assertThat(kiro.requestsWithToken(TOKEN_A)).hasSize(2);
        assertThat(kiro.requestsWithToken(TOKEN_B)).hasSize(1);
        assertThat(anthropic.requests()).hasSize(2);
    }

    @Test
    void anExpiredTokenIsRefreshedOnceAndTheSameAccountAnswersWithTheRotatedTokensStored() {
        kiro.script(TOKEN_A, KiroReply.tokenExpired());
        kiro.defaultReply(KiroReply.ok("Hello after refresh"));
        startGateway();

        assertThat(text(sdk.messages().create(params()))).isEqualTo("Hello after refresh");

        assertThat(refresh.requests()).hasSize(1);
        JsonNode stored = storedAccount("a");
        String rotatedAccess = stored.path("access_token").asText();
        assertThat(rotatedAccess).isNotEqualTo(TOKEN_A);
        assertThat(stored.path("refresh_token").asText()).isEqualTo(refresh.currentRefreshToken(ARN_A));
        assertThat(kiro.requestsWithToken(rotatedAccess)).hasSize(1);
        assertThat(kiro.requestsWithToken(TOKEN_B)).isEmpty();
        assertThat(anthropic.requests()).isEmpty();
    }

    @Test
    void aBearerTokenRefusedWith403IsRefreshedLikeAnExpiredOne() {
        kiro.script(TOKEN_A, KiroReply.bearerTokenInvalid());
        kiro.defaultReply(KiroReply.ok("Hello after refresh"));
        startGateway();

        assertThat(deltas(stream(new ArrayList<>()))).isEqualTo("Hello after refresh");

        assertThat(refresh.requests()).hasSize(1);
        assertThat(kiro.requestsWithToken(storedAccount("a").path("access_token").asText())).hasSize(1);
        assertThat(kiro.requestsWithToken(TOKEN_B)).isEmpty();
    }

    @Test
    void aCorruptFrameBeforeOutputFailsOverInvisibly() {
        // Twice: a failure without a wait hint is first resent in place, to the same account.
        kiro.script(TOKEN_A, KiroReply.corruptFrameBeforeOutput(), KiroReply.corruptFrameBeforeOutput());
        kiro.script(TOKEN_B, KiroReply.ok("Clean answer"));
        startGateway();

        var events = stream(new ArrayList<>());

        assertThat(deltas(events)).isEqualTo("Clean answer");
        assertThat(events.getLast().isMessageStop()).isTrue();
        assertThat(kiro.requestsWithToken(TOKEN_A)).hasSize(2);
        assertThat(events).noneMatch(event -> event.toString().contains("never seen"));
    }

    @Test
    void aStreamCutAfterOutputEndsWithAnErrorEventAndIsNeverReplayed() {
        kiro.script(TOKEN_A, KiroReply.cutAfterOutput("Hello there friend"));
        kiro.script(TOKEN_B, KiroReply.ok("must not be used"));
        anthropic.defaultReply(AnthropicReply.ok("must not be used either"));
        startGateway();
        List<RawMessageStreamEvent> events = new ArrayList<>();

        assertThatThrownBy(() -> stream(events)).isInstanceOf(AnthropicException.class);

        assertThat(deltas(events)).isEqualTo("Hello there friend");
        assertThat(events).noneMatch(RawMessageStreamEvent::isMessageStop);
        assertThat(kiro.requests()).hasSize(1);
        assertThat(anthropic.requests()).isEmpty();
    }

    @Test
    void aToolUseRoundTrips() {
        kiro.script(TOKEN_A, KiroReply.toolUse(null, "tooluse_1", "get_weather", "{\"city\":", "\"Rome\"}"),
                KiroReply.ok("Sunny in Rome"));
        startGateway();
        Tool weather = Tool.builder().name("get_weather").description("Weather of a city")
                .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("city",
                        Map.of("type", "string")))).build()).build();
        MessageCreateParams first = MessageCreateParams.builder().model(MODEL).maxTokens(256)
                .addUserMessage("Weather in Rome?").addTool(weather).build();

        Message call = sdk.messages().create(first);
        ToolUseBlock use = call.content().stream().flatMap(block -> block.toolUse().stream()).findFirst()
                .orElseThrow();
        Message answer = sdk.messages().create(first.toBuilder().addMessage(call)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId(use.id()).content("sunny, 24C").build())))
                .build());

        assertThat(use.id()).isEqualTo("tooluse_1");
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use._input().toString()).contains("Rome");
        assertThat(call.stopReason().map(Object::toString)).hasValue("tool_use");
        assertThat(text(answer)).isEqualTo("Sunny in Rome");
        JsonNode second = kiro.requests().get(1).json().path("conversationState");
        assertThat(second.at("/currentMessage/userInputMessage/userInputMessageContext/toolResults/0/toolUseId")
                .asText()).isEqualTo("tooluse_1");
        assertThat(second.at("/history/1/assistantResponseMessage/toolUses/0/name").asText())
                .isEqualTo("get_weather");
        assertThat(second.at("/currentMessage/userInputMessage/userInputMessageContext/tools/0/toolSpecification/name")
                .asText()).isEqualTo("get_weather");
    }
}
