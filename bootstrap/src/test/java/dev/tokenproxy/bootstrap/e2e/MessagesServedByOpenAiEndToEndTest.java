package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anthropic Messages clients (the official Anthropic Java SDK, its own retries off) served by {@code openai} Chat
 * Completions upstreams through the running gateway: the request is converted to Chat, the answer back to a message
 * or to Messages events.
 */
class MessagesServedByOpenAiEndToEndTest {

    private static final String MODEL = "gpt-test";

    @TempDir
    Path folder;

    private final FakeOpenAiUpstream a = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream b = FakeOpenAiUpstream.start();
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
        a.close();
        b.close();
    }

    private void startGateway() {
        String yaml = """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                timeouts: { connect_seconds: 2, first_output_seconds: 5, idle_seconds: 5 }
                upstreams:
                  - { id: a, provider: openai, base_url: "%s", api_keys: ["ka"], priority: 10 }
                  - { id: b, provider: openai, base_url: "%s", api_keys: ["kb"], priority: 0 }
                """.formatted(a.baseUrl(), b.baseUrl());
        gateway = GatewayUnderTest.start(folder, yaml, Map.of());
        sdk = AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey(GatewayUnderTest.LOCAL_KEY)
                .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
    }

    private static MessageCreateParams params() {
        return MessageCreateParams.builder().model(MODEL).maxTokens(256).system("Answer briefly.")
                .addUserMessage("Say hello").build();
    }

    private static String text(Message message) {
        return message.content().stream().flatMap(block -> block.text().stream()).map(TextBlock::text)
                .collect(Collectors.joining());
    }

    private Message streamed(MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message();
    }

    @Test
    void aNonStreamMessageIsServedByAChatUpstream() {
        a.defaultReply(Reply.ok("Hello there friend"));
        startGateway();

        Message message = sdk.messages().create(params());

        assertThat(text(message)).isEqualTo("Hello there friend");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(message.usage().outputTokens()).isPositive();
        var sent = a.requests().getFirst();
        assertThat(sent.pathWithoutQuery()).isEqualTo("/v1/chat/completions");
        assertThat(sent.header("authorization")).isEqualTo("Bearer ka");
        assertThat(sent.json().at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(sent.json().at("/messages/0/content").asText()).isEqualTo("Answer briefly.");
        assertThat(sent.json().path("max_completion_tokens").asInt()).isEqualTo(256);
    }

    @Test
    void aStreamIsMessagesEventsFromMessageStartToMessageStopWithUsage() {
        a.defaultReply(Reply.ok("Hello streaming world"));
        startGateway();

        Message message = streamed(params());

        assertThat(text(message)).isEqualTo("Hello streaming world");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(message.usage().outputTokens()).isPositive();
        assertThat(a.requests().getFirst().json().at("/stream_options/include_usage").asBoolean()).isTrue();
    }

    @Test
    void aToolUseRoundTripsBetweenAnAnthropicClientAndAChatUpstream() {
        a.script(MODEL, FakeOpenAiUpstream.ANY, Reply.toolCall("call_7", "get_weather", "{\"city\":\"Rome\"}"),
                Reply.ok("Sunny in Rome"));
        startGateway();
        Tool weather = Tool.builder().name("get_weather").description("Weather of a city")
                .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("city",
                        Map.of("type", "string")))).build()).build();
        MessageCreateParams first = MessageCreateParams.builder().model(MODEL).maxTokens(256)
                .addUserMessage("Weather in Rome?").addTool(weather).build();

        Message call = streamed(first);
        ToolUseBlock use = call.content().stream().flatMap(block -> block.toolUse().stream()).findFirst()
                .orElseThrow();
        Message answer = sdk.messages().create(first.toBuilder().addMessage(call)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId(use.id()).content("sunny, 24C").build())))
                .build());

        assertThat(use.id()).isEqualTo("call_7");
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use._input().toString()).contains("Rome");
        assertThat(call.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(a.requests().getFirst().json().at("/tools/0/function/parameters/properties/city/type").asText())
                .isEqualTo("string");
        assertThat(text(answer)).isEqualTo("Sunny in Rome");
        var messages = a.requests().get(1).json().path("messages");
        assertThat(messages.at("/1/tool_calls/0/id").asText()).isEqualTo("call_7");
        assertThat(messages.at("/1/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Rome\"}");
        assertThat(messages.at("/2/role").asText()).isEqualTo("tool");
        assertThat(messages.at("/2/tool_call_id").asText()).isEqualTo("call_7");
        assertThat(messages.at("/2/content").asText()).isEqualTo("sunny, 24C");
    }

    @Test
    void aFailureBeforeOutputFailsOverInvisibly() {
        a.defaultReply(Reply.errorEventBeforeOutput());
        b.defaultReply(Reply.ok("Hello from b"));
        startGateway();

        assertThat(text(streamed(params()))).isEqualTo("Hello from b");
        assertThat(a.requests()).isNotEmpty();
    }

    @Test
    void aStreamCutAfterOutputEndsWithAnErrorEventAndIsNeverReplayed() {
        a.defaultReply(Reply.streamCutAfter(2, "Hello there friend"));
        b.defaultReply(Reply.ok("must not be used"));
        startGateway();

        assertThatThrownBy(() -> streamed(params())).isInstanceOf(AnthropicException.class);

        assertThat(a.requests()).hasSize(1);
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void aRequestScopedRejectionReachesTheClientInAnthropicsShape() {
        a.defaultReply(Reply.contextLengthExceeded());
        startGateway();

        assertThatThrownBy(() -> sdk.messages().create(params()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.body().toString()).contains("invalid_request_error");
                });
        assertThat(b.requests()).isEmpty();
    }
}
