package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.SseException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import dev.tokenproxy.testing.AnthropicReply;
import dev.tokenproxy.testing.FakeAnthropicUpstream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat Completions clients (the official OpenAI Java SDK's {@code chat().completions()}) served by {@code anthropic}
 * upstreams through the running gateway: the request is converted to Messages, the answer back to a completion or
 * to chat chunks.
 */
class ChatServedByAnthropicEndToEndTest {

    private static final String MODEL = "claude-test";
    private static final String ANY = FakeAnthropicUpstream.ANY;

    @TempDir
    Path folder;

    private final FakeAnthropicUpstream a = FakeAnthropicUpstream.start();
    private final FakeAnthropicUpstream b = FakeAnthropicUpstream.start();
    private GatewayUnderTest gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        a.close();
        b.close();
    }

    private void startGateway() {
        String yaml = """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                timeouts: { connect_seconds: 2, first_output_seconds: 5, idle_seconds: 5 }
                upstreams:
                  - { id: a, provider: anthropic, base_url: "%s", api_keys: ["ka"], priority: 10 }
                  - { id: b, provider: anthropic, base_url: "%s", api_keys: ["kb"], priority: 0 }
                """.formatted(a.baseUrl(), b.baseUrl());
        gateway = GatewayUnderTest.start(folder, yaml, Map.of());
    }

    private static ChatCompletionCreateParams params() {
        return ChatCompletionCreateParams.builder().model(MODEL).addSystemMessage("Answer briefly.")
                .addUserMessage("Say hello").build();
    }

    @Test
    void aNonStreamChatCallIsServedByAnAnthropicUpstream() {
        a.defaultReply(AnthropicReply.ok("Hello there friend"));
        startGateway();

        ChatCompletion completion = gateway.sdk().chat().completions().create(params());

        assertThat(completion.choices().getFirst().message().content()).contains("Hello there friend");
        assertThat(completion.choices().getFirst().finishReason().asString()).isEqualTo("stop");
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isPositive();
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
        var sent = a.requests().getFirst();
        assertThat(sent.pathWithoutQuery()).isEqualTo("/v1/messages");
        assertThat(sent.header("x-api-key")).isEqualTo("ka");
        assertThat(sent.json().path("system").asText()).isEqualTo("Answer briefly.");
        assertThat(sent.json().path("max_tokens").asInt()).isPositive();
    }

    @Test
    void aStreamingChatCallGetsChunksTheFinishReasonAndTheUsageItAskedFor() {
        a.defaultReply(AnthropicReply.thinkingThenText("Hmm", "Hello streaming world"));
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

        assertThat(content.toString()).isEqualTo("Hello streaming world");
        assertThat(finishReasons).containsExactly("stop");
        assertThat(usage).singleElement().satisfies(u -> assertThat(u.completionTokens()).isPositive());
        assertThat(a.requests().getFirst().json().path("stream").asBoolean()).isTrue();
    }

    @Test
    void aToolCallRoundTripsBetweenAChatClientAndAnAnthropicUpstream() {
        a.script(ANY, ANY, AnthropicReply.toolUse("toolu_7", "get_weather", "{\"city\":\"Rome\"}"),
                AnthropicReply.ok("Sunny in Rome"));
        startGateway();
        var weather = FunctionDefinition.builder().name("get_weather").description("Weather of a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build();

        ChatCompletion first = gateway.sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Weather in Rome?").addFunctionTool(weather).build());

        var message = first.choices().getFirst().message();
        var call = message.toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.id()).isEqualTo("toolu_7");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Rome\"}");
        assertThat(first.choices().getFirst().finishReason().asString()).isEqualTo("tool_calls");
        assertThat(a.requests().getFirst().json().at("/tools/0/input_schema/properties/city/type").asText())
                .isEqualTo("string");

        ChatCompletion second = gateway.sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Weather in Rome?").addMessage(message)
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("toolu_7").content("sunny, 24C")
                        .build())
                .addFunctionTool(weather).build());

        assertThat(second.choices().getFirst().message().content()).contains("Sunny in Rome");
        var messages = a.requests().get(1).json().path("messages");
        assertThat(messages.at("/1/role").asText()).isEqualTo("assistant");
        assertThat(messages.at("/1/content/0/type").asText()).isEqualTo("tool_use");
        assertThat(messages.at("/1/content/0/input/city").asText()).isEqualTo("Rome");
        assertThat(messages.at("/2/content/0/type").asText()).isEqualTo("tool_result");
        assertThat(messages.at("/2/content/0/tool_use_id").asText()).isEqualTo("toolu_7");
    }

    @Test
    void anOverloadedEventBeforeOutputFailsOverInvisibly() {
        a.defaultReply(AnthropicReply.overloadedEvent());
        b.defaultReply(AnthropicReply.ok("Hello from b"));
        startGateway();

        StringBuilder content = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = gateway.sdk().chat().completions()
                .createStreaming(params())) {
            stream.stream().forEach(chunk -> chunk.choices()
                    .forEach(choice -> choice.delta().content().ifPresent(content::append)));
        }

        assertThat(content.toString()).isEqualTo("Hello from b");
        assertThat(a.requests()).isNotEmpty();
    }

    @Test
    void aStreamCutAfterOutputEndsWithAnErrorAndIsNeverReplayed() {
        a.defaultReply(AnthropicReply.streamCutAfter(2, "Hello there friend"));
        b.defaultReply(AnthropicReply.ok("must not be used"));
        startGateway();
        StringBuilder content = new StringBuilder();

        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> stream = gateway.sdk().chat().completions()
                    .createStreaming(params())) {
                stream.stream().forEach(chunk -> chunk.choices()
                        .forEach(choice -> choice.delta().content().ifPresent(content::append)));
            }
        }).isInstanceOf(SseException.class);

        assertThat(content.toString()).isEqualTo("Hello there ");
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void aRequestScopedRejectionReachesTheChatClientInTheOpenAiShape() {
        a.defaultReply(AnthropicReply.invalidRequest("prompt is too long: 210000 tokens > 200000 maximum"));
        startGateway();

        assertThatThrownBy(() -> gateway.sdk().chat().completions().create(params()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.getMessage()).contains("prompt is too long");
                    assertThat(e.code()).contains("context_length_exceeded");
                });
        assertThat(b.requests()).isEmpty();
    }
}
