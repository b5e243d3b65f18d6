package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.TextDelta;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import dev.tokenproxy.testing.AnthropicReply;
import dev.tokenproxy.testing.FakeAnthropicUpstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code anthropic} provider and {@code POST /v1/messages} through the running gateway, called with the official
 * Anthropic Java SDK (its own retries off, so every attempt is the gateway's): a pool of two keys on upstream
 * {@code a}, one key on upstream {@code b}.
 */
class AnthropicEndToEndTest {

    private static final String MODEL = "claude-test";
    private static final String ANY = FakeAnthropicUpstream.ANY;

    @TempDir
    Path folder;

    private final FakeAnthropicUpstream a = FakeAnthropicUpstream.start();
    private final FakeAnthropicUpstream b = FakeAnthropicUpstream.start();
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
                  - { id: a, provider: anthropic, base_url: "%s", api_keys: ["ka1", "ka2"], priority: 10 }
                  - { id: b, provider: anthropic, base_url: "%s", api_keys: ["kb"], priority: 0 }
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

    private List<RawMessageStreamEvent> stream(MessageCreateParams params, List<RawMessageStreamEvent> into) {
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(params)) {
            stream.stream().forEach(into::add);
        }
        return into;
    }

    private static String deltas(List<RawMessageStreamEvent> events) {
        return events.stream().flatMap(event -> event.contentBlockDelta().stream())
                .flatMap(delta -> delta.delta().text().stream()).map(TextDelta::text).collect(Collectors.joining());
    }

    @Test
    void theAnthropicSdkListsModelsInItsOwnShape() {
        startGateway();

        var ids = new java.util.ArrayList<String>();
        // display_name and created_at are required in Anthropic's shape: the SDK refuses an OpenAI-shaped list here.
        sdk.models().list().autoPager().forEach(model -> ids.add(model.id() + "|" + model.displayName()
                + "|" + model.createdAt().getYear()));

        assertThat(ids).as("the anthropic upstreams' own listings").containsAll(FakeAnthropicUpstream.MODELS_LISTED
                .stream().map(id -> id + "|" + id + "|1970").toList());
    }

    @Test
    void aMessageIsAnsweredWithTheUpstreamKeyAndTheClientsVersion() {
        a.defaultReply(AnthropicReply.ok("Hello there friend"));
        startGateway();

        Message message = sdk.messages().create(params());

        assertThat(text(message)).isEqualTo("Hello there friend");
        assertThat(message.usage().outputTokens()).isPositive();
        var sent = a.requests().getFirst();
        assertThat(sent.header("x-api-key")).isEqualTo("ka1");
        // The SDK's own version, passed through rather than replaced by the gateway's default.
        assertThat(sent.header("anthropic-version")).matches("\\d{4}-\\d{2}-\\d{2}").isNotEqualTo("2023-06-01");
        assertThat(sent.json().path("system").asText()).isEqualTo("Answer briefly.");
    }

    @Test
    void aStreamDeliversEveryEventFromMessageStartToMessageStop() {
        a.defaultReply(AnthropicReply.thinkingThenText("Hmm", "Hello streaming world"));
        startGateway();

        var events = stream(params(), new ArrayList<>());

        assertThat(deltas(events)).isEqualTo("Hello streaming world");
        assertThat(events.getFirst().isMessageStart()).isTrue();
        assertThat(events.getLast().isMessageStop()).isTrue();
        assertThat(events).anyMatch(RawMessageStreamEvent::isMessageDelta);
    }

    @Test
    void anOverloadedFirstKeyIsInvisibleWhenTheSecondKeyStreamsTheAnswer() {
        a.script(ANY, "ka1", AnthropicReply.overloaded().withHeader("retry-after", "1"));
        a.script(ANY, "ka2", AnthropicReply.ok("Hello from key two"));
        startGateway();

        var events = stream(params(), new ArrayList<>());

        assertThat(deltas(events)).isEqualTo("Hello from key two");
        assertThat(a.requestsWithKey("ka1")).hasSize(1);
        assertThat(a.requestsWithKey("ka2")).hasSize(1);
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void anErrorEventBeforeOutputFailsOverInvisibly() {
        a.defaultReply(AnthropicReply.overloadedEvent());
        b.defaultReply(AnthropicReply.ok("Hello from b"));
        startGateway();

        var events = stream(params(), new ArrayList<>());

        assertThat(deltas(events)).isEqualTo("Hello from b");
        assertThat(a.requests()).isNotEmpty();
        assertThat(events).noneMatch(event -> event.toString().contains("overloaded"));
    }

    @Test
    void aToolUseRoundTrips() {
        a.script(ANY, ANY, AnthropicReply.toolUse("toolu_1", "get_weather", "{\"city\":\"Rome\"}"),
                AnthropicReply.ok("Sunny in Rome"));
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

        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use._input().toString()).contains("Rome");
        assertThat(text(answer)).isEqualTo("Sunny in Rome");
        var second = a.requests().get(1).json();
        assertThat(second.at("/messages/1/content/0/type").asText()).isEqualTo("tool_use");
        assertThat(second.at("/messages/2/content/0/tool_use_id").asText()).isEqualTo("toolu_1");
    }

    @Test
    void aStreamCutAfterOutputEndsWithAnErrorEventAndIsNeverReplayed() {
        a.defaultReply(AnthropicReply.streamCutAfter(2, "Hello there friend"));
        b.defaultReply(AnthropicReply.ok("must not be used"));
        startGateway();
        List<RawMessageStreamEvent> events = new ArrayList<>();

        assertThatThrownBy(() -> stream(params(), events)).isInstanceOf(AnthropicException.class);

        assertThat(deltas(events)).isEqualTo("Hello there ");
        assertThat(events).noneMatch(RawMessageStreamEvent::isMessageStop);
        assertThat(a.requests()).hasSize(1);
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void aRequestScopedRejectionIsReturnedAtOnceWithoutTryingAnotherKey() {
        a.defaultReply(AnthropicReply.invalidRequest("prompt is too long: 210000 tokens > 200000 maximum"));
        startGateway();

        assertThatThrownBy(() -> sdk.messages().create(params()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.getMessage()).contains("prompt is too long"));

        assertThat(a.requests()).hasSize(1);
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void countTokensIsAnsweredWithAnEstimate() {
        startGateway();

        var count = sdk.messages().countTokens(com.anthropic.models.messages.MessageCountTokensParams.builder()
                .model(MODEL).addUserMessage("x".repeat(400)).build());

        assertThat(count.inputTokens()).isEqualTo(100);
        assertThat(a.requests()).isEmpty();
    }
}
