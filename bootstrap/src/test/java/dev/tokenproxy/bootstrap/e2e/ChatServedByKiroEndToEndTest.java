package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.SseException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.tokenproxy.testing.FakeKiroRefreshEndpoint;
import dev.tokenproxy.testing.FakeKiroUpstream;
import dev.tokenproxy.testing.KiroReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat Completions clients (the official OpenAI Java SDK's {@code chat().completions()}) served by a pool of Kiro
 * accounts through the running gateway, whose first account fails: the request is converted to Messages and then to
 * Kiro's body, Kiro's event stream back to a completion or to chat chunks, and the failed account stays invisible.
 */
class ChatServedByKiroEndToEndTest {

    private static final String MODEL = "claude-sonnet-4-5";
    private static final String TOKEN_A = "kiro-at-a";
    private static final String TOKEN_B = "kiro-at-b";
    private static final String ARN_A = "arn:aws:codewhisperer:us-east-1:111111111111:profile/A";
    private static final String ARN_B = "arn:aws:codewhisperer:us-east-1:222222222222:profile/B";

    @TempDir
    Path folder;

    private final FakeKiroUpstream kiro = FakeKiroUpstream.start();
    private final FakeKiroRefreshEndpoint refresh = FakeKiroRefreshEndpoint.start();
    private GatewayUnderTest gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        kiro.close();
        refresh.close();
    }

    private static String account(String id, String accessToken, String profileArn) {
        return """
                { "id": "%s", "provider": "kiro", "status": "active", "access_token": "%s",
                  "refresh_token": "kiro-rt-%s", "expires_at": "%s", "profile_arn": "%s" }"""
                .formatted(id, accessToken, id, Instant.now().plusSeconds(3600), profileArn);
    }

    private void startGateway() {
        try {
            Files.writeString(folder.resolve("accounts.json"), "{ \"accounts\": [" + account("a", TOKEN_A, ARN_A)
                    + "," + account("b", TOKEN_B, ARN_B) + "] }");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        refresh.acceptSocialRefreshToken("kiro-rt-a", ARN_A).acceptSocialRefreshToken("kiro-rt-b", ARN_B);
        gateway = GatewayUnderTest.start(folder, """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                accounts_file: ./accounts.json
                oauth: { kiro_refresh_url: "%s" }
                timeouts: { connect_seconds: 2, first_output_seconds: 5, idle_seconds: 5 }
                upstreams:
                  - { id: kiro-pool, provider: kiro, base_url: "%s", accounts: all }
                """.formatted(refresh.socialUrl(), kiro.baseUrl()), Map.of());
    }

    private static ChatCompletionCreateParams params() {
        return ChatCompletionCreateParams.builder().model(MODEL).addSystemMessage("Answer briefly.")
                .addUserMessage("Say hello").build();
    }

    @Test
    void aNonStreamChatCallIsAnsweredByTheSecondAccountWhenTheFirstIsSuspended() {
        kiro.script(TOKEN_A, KiroReply.suspended());
        kiro.script(TOKEN_B, KiroReply.ok("Hello from b"));
        startGateway();

        ChatCompletion completion = gateway.sdk().chat().completions().create(params());

        assertThat(completion.choices().getFirst().message().content()).contains("Hello from b");
        assertThat(completion.choices().getFirst().finishReason().asString()).isEqualTo("stop");
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
        assertThat(kiro.requestsWithToken(TOKEN_A)).hasSize(1);
        var sent = kiro.requestsWithToken(TOKEN_B).getFirst().json();
        assertThat(sent.path("profileArn").asText()).isEqualTo(ARN_B);
        assertThat(sent.at("/conversationState/currentMessage/userInputMessage/content").asText())
                .contains("Answer briefly.").contains("Say hello");
    }

    @Test
    void aStreamingChatCallFailsOverInvisiblyWhenTheFirstAccountsStreamBreaksBeforeOutput() {
        // Twice: a failure without a wait hint is first resent in place, to the same account.
        kiro.script(TOKEN_A, KiroReply.corruptFrameBeforeOutput(), KiroReply.corruptFrameBeforeOutput());
        kiro.script(TOKEN_B, KiroReply.ok("Streamed from b").inPiecesOf(5));
        startGateway();

        StringBuilder content = new StringBuilder();
        List<String> finishReasons = new ArrayList<>();
        List<CompletionUsage> usage = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = gateway.sdk().chat().completions().createStreaming(
                params().toBuilder().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                        .build())) {
            stream.stream().forEach(chunk -> {
                chunk.usage().ifPresent(usage::add);
                chunk.choices().forEach(choice -> {
                    choice.delta().content().ifPresent(content::append);
                    choice.finishReason().ifPresent(reason -> finishReasons.add(reason.asString()));
                });
            });
        }

        assertThat(content.toString()).isEqualTo("Streamed from b");
        assertThat(finishReasons).containsExactly("stop");
        assertThat(usage).singleElement().satisfies(u -> assertThat(u.completionTokens()).isPositive());
        assertThat(kiro.requestsWithToken(TOKEN_A)).hasSize(2);
        assertThat(kiro.requestsWithToken(TOKEN_B)).hasSize(1);
    }

    @Test
    void aStreamCutAfterOutputEndsWithAChatErrorAndIsNeverReplayed() {
        kiro.script(TOKEN_A, KiroReply.cutAfterOutput("Hello there friend"));
        kiro.script(TOKEN_B, KiroReply.ok("must not be used"));
        startGateway();
        StringBuilder content = new StringBuilder();

        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> stream = gateway.sdk().chat().completions()
                    .createStreaming(params())) {
                stream.stream().forEach(chunk -> chunk.choices()
                        .forEach(choice -> choice.delta().content().ifPresent(content::append)));
            }
        }).isInstanceOf(SseException.class);

        assertThat(content.toString()).startsWith("Hello").doesNotContain("must not be used");
        assertThat(kiro.requestsWithToken(TOKEN_B)).isEmpty();
    }

    @Test
    void aToolCallFromKiroReachesTheChatClientAsToolCalls() {
        kiro.script(TOKEN_A, KiroReply.suspended());
        kiro.script(TOKEN_B, KiroReply.toolUse("", "tooluse_7", "get_weather", "{\"city\":", "\"Rome\"}"));
        startGateway();
        var weather = FunctionDefinition.builder().name("get_weather").description("Weather of a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build();

        ChatCompletion completion = gateway.sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Weather in Rome?").addFunctionTool(weather).build());

        var call = completion.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.id()).isEqualTo("tooluse_7");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Rome\"}");
        assertThat(completion.choices().getFirst().finishReason().asString()).isEqualTo("tool_calls");
        assertThat(kiro.requestsWithToken(TOKEN_B).getFirst().json().toString()).contains("get_weather");
    }
}
