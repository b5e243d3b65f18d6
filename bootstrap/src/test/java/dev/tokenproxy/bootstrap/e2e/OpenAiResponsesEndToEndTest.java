package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import dev.tokenproxy.testing.FakeResponsesUpstream;
import dev.tokenproxy.testing.ResponsesReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code openai_responses} provider through the running gateway, called with the official OpenAI SDK: Responses
 * clients natively, Chat clients by conversion, and the failures a Responses upstream reports after HTTP 200.
 */
class OpenAiResponsesEndToEndTest {

    private static final String MODEL = "gpt-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    private final FakeResponsesUpstream a = FakeResponsesUpstream.start();
    private final FakeResponsesUpstream b = FakeResponsesUpstream.start();
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
                  - { id: a, provider: openai_responses, base_url: "%s", api_keys: ["ka"] }
                  - { id: b, provider: openai_responses, base_url: "%s", api_keys: ["kb"] }
                """.formatted(a.baseUrl(), b.baseUrl());
        gateway = GatewayUnderTest.start(folder, yaml, Map.of());
    }

    private static ResponseCreateParams params() {
        return ResponseCreateParams.builder().model(MODEL).instructions("Answer briefly.").input("Say hello").build();
    }

    private static ChatCompletionCreateParams chatParams() {
        return ChatCompletionCreateParams.builder().model(MODEL).addSystemMessage("Answer briefly.")
                .addUserMessage("Say hello").build();
    }

    private static String text(Response response) {
        return response.output().stream().filter(ResponseOutputItem::isMessage)
                .flatMap(item -> item.asMessage().content().stream())
                .filter(content -> content.isOutputText())
                .map(content -> content.asOutputText().text())
                .collect(Collectors.joining());
    }

    private List<ResponseStreamEvent> stream(ResponseCreateParams params) {
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = gateway.sdk().responses().createStreaming(params)) {
            stream.stream().forEach(events::add);
        }
        return events;
    }

    private static String deltas(List<ResponseStreamEvent> events) {
        return events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.joining());
    }

    @Test
    void aResponsesCallIsServedNatively() {
        a.defaultReply(ResponsesReply.ok("Hello there friend"));
        startGateway();

        Response response = gateway.sdk().responses().create(params());

        assertThat(text(response)).isEqualTo("Hello there friend");
        assertThat(response.usage()).isPresent();
        var sent = a.requests().getFirst();
        assertThat(sent.bearerKey()).isEqualTo("ka");
        assertThat(sent.json().path("instructions").asText()).isEqualTo("Answer briefly.");
    }

    @Test
    void aStreamingResponsesCallGetsTheUpstreamsEventsNumberedConsecutivelyFromZero() {
        a.defaultReply(ResponsesReply.ok("Hello there friend"));
        startGateway();

        List<ResponseStreamEvent> events = stream(params());

        assertThat(deltas(events)).isEqualTo("Hello there friend");
        assertThat(events.getFirst().isCreated()).isTrue();
        assertThat(events.getLast().isCompleted()).isTrue();
        assertThat(SequenceNumbers.of(events)).containsExactlyElementsOf(SequenceNumbers.fromZero(events.size()));
    }

    /** A Responses upstream's failures after HTTP 200 and before any output, which the gateway may fail over from. */
    static Stream<Arguments> failureEventsBeforeOutput() {
        String message = "The server had an error.";
        return Stream.of(
                Arguments.of(Named.of("an error event", ResponsesReply.errorEvent("server_error", message))),
                Arguments.of(Named.of("response.failed", ResponsesReply.failed("server_error", message))));
    }

    @ParameterizedTest
    @MethodSource("failureEventsBeforeOutput")
    void aFailureEventBeforeOutputFailsOverAndTheClientSeesOnlyTheNextUpstreamsEventsNumberedFromZero(
            ResponsesReply failure) {
        a.defaultReply(failure);
        b.defaultReply(ResponsesReply.ok("from b"));
        startGateway();

        List<ResponseStreamEvent> events = stream(params());

        assertThat(deltas(events)).isEqualTo("from b");
        // a's response.created and in_progress were held back and dropped: one of each, b's.
        assertThat(events).filteredOn(ResponseStreamEvent::isCreated).hasSize(1);
        assertThat(events).filteredOn(ResponseStreamEvent::isInProgress).hasSize(1);
        assertThat(events).noneMatch(ResponseStreamEvent::isFailed).noneMatch(ResponseStreamEvent::isError);
        assertThat(events.getLast().isCompleted()).isTrue();
        assertThat(SequenceNumbers.of(events)).containsExactlyElementsOf(SequenceNumbers.fromZero(events.size()));
        // A failure without a wait hint is resent in place once (same_upstream_retries: 1), then b answers.
        assertThat(a.requests()).hasSize(2);
        assertThat(b.requests()).hasSize(1);
    }

    @Test
    void aChatCallIsServedByConversion() {
        a.defaultReply(ResponsesReply.ok("Hello from responses"));
        startGateway();

        ChatCompletion completion = gateway.sdk().chat().completions().create(chatParams());

        assertThat(completion.choices().getFirst().message().content()).contains("Hello from responses");
        assertThat(completion.usage()).isPresent();
        var sent = a.requests().getFirst().json();
        assertThat(sent.path("instructions").asText()).isEqualTo("Answer briefly.");
    }

    @Test
    void aResponsesUpstreamsCachedAndReasoningTokensReachANonStreamChatClientInItsUsage() {
        a.defaultReply(ResponsesReply.ok("Hello from responses").withUsage(new ResponsesReply.Usage(40, 32, 25, 21)));
        startGateway();

        CompletionUsage usage = gateway.sdk().chat().completions().create(chatParams()).usage().orElseThrow();

        assertUsageOf40In32CachedAnd25Out21Reasoning(usage);
    }

    @Test
    void aResponsesUpstreamsCachedAndReasoningTokensReachAStreamingChatClientInTheUsageChunk() {
        a.defaultReply(ResponsesReply.ok("Hello from responses").withUsage(new ResponsesReply.Usage(40, 32, 25, 21)));
        startGateway();
        var params = chatParams().toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();

        List<CompletionUsage> usages = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = gateway.sdk().chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.usage().ifPresent(usages::add));
        }

        assertThat(usages).singleElement()
                .satisfies(OpenAiResponsesEndToEndTest::assertUsageOf40In32CachedAnd25Out21Reasoning);
    }

    private static void assertUsageOf40In32CachedAnd25Out21Reasoning(CompletionUsage usage) {
        assertThat(usage.promptTokens()).isEqualTo(40);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(32L);
        assertThat(usage.completionTokens()).isEqualTo(25);
        assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens()).contains(21L);
        assertThat(usage.totalTokens()).isEqualTo(65);
    }

    @Test
    void aChatToolCallRoundTripsThroughAResponsesUpstream() {
        a.script(MODEL, FakeResponsesUpstream.ANY,
                ResponsesReply.functionCall("call_9", "get_weather", "{\"city\":\"Rome\"}"),
                ResponsesReply.ok("Sunny in Rome"));
        startGateway();
        var weather = com.openai.models.FunctionDefinition.builder().name("get_weather")
                .parameters(com.openai.models.FunctionParameters.builder()
                        .putAdditionalProperty("type", com.openai.core.JsonValue.from("object")).build())
                .build();

        ChatCompletion first = gateway.sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Weather in Rome?").addFunctionTool(weather).build());

        var message = first.choices().getFirst().message();
        var call = message.toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.id()).isEqualTo("call_9");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Rome\"}");
        assertThat(first.choices().getFirst().finishReason().asString()).isEqualTo("tool_calls");
        assertThat(a.requests().getFirst().json().at("/tools/0/name").asText()).isEqualTo("get_weather");

        ChatCompletion second = gateway.sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Weather in Rome?").addMessage(message)
                .addMessage(com.openai.models.chat.completions.ChatCompletionToolMessageParam.builder()
                        .toolCallId("call_9").content("{\"sky\":\"clear\"}").build())
                .addFunctionTool(weather).build());

        assertThat(second.choices().getFirst().message().content()).contains("Sunny in Rome");
        var input = a.requests().get(1).json().path("input");
        assertThat(input.findValuesAsText("type")).contains("function_call", "function_call_output");
        assertThat(input.findValuesAsText("call_id")).contains("call_9");
    }

    @Test
    void aStreamingChatCallIsServedByConversion() {
        a.defaultReply(ResponsesReply.ok("Hello streaming world"));
        startGateway();

        StringBuilder content = new StringBuilder();
        List<String> finishReasons = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream =
                     gateway.sdk().chat().completions().createStreaming(chatParams())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
                choice.delta().content().ifPresent(content::append);
                choice.finishReason().ifPresent(reason -> finishReasons.add(reason.asString()));
            }));
        }

        assertThat(content.toString()).isEqualTo("Hello streaming world");
        assertThat(finishReasons).containsExactly("stop");
    }

    @Test
    void aContextLengthFailureBeforeOutputIsReturnedAtOnceWithoutTryingTheNextUpstream() {
        a.defaultReply(ResponsesReply.contextLengthExceeded());
        b.defaultReply(ResponsesReply.ok("never"));
        startGateway();

        assertThatThrownBy(() -> stream(params()))
                .isInstanceOfSatisfying(BadRequestException.class, e ->
                        assertThat(e.getMessage()).contains("context_length_exceeded"));
        assertThat(a.requests()).hasSize(1);
        assertThat(b.requests()).isEmpty();
    }

    @Test
    void aRateLimitFailureFailsOverAndCoolsTheUpstreamForTheWaitItsMessageNames() {
        a.defaultReply(ResponsesReply.rateLimitExceeded(Duration.ofMillis(11_500)));
        b.defaultReply(ResponsesReply.ok("from b"));
        startGateway();

        Instant before = Instant.now();
        List<ResponseStreamEvent> first = stream(params());
        Instant after = Instant.now();

        assertThat(deltas(first)).isEqualTo("from b");
        assertThat(SequenceNumbers.of(first)).containsExactlyElementsOf(SequenceNumbers.fromZero(first.size()));
        // a cools for the 11.5 s its message names from the moment it failed: not the 10 s of a transient failure.
        var cooling = admin("/admin/cooldowns").path("data");
        assertThat(cooling).hasSize(1);
        assertThat(cooling.get(0).path("key").asText()).isEqualTo("a/key-1");
        assertThat(Instant.parse(cooling.get(0).path("until").asText()))
                .isBetween(before.plusMillis(11_500), after.plusMillis(11_500));
        assertThat(deltas(stream(params()))).isEqualTo("from b");

        // No in-place retry of a rate limit, and the second request went straight to b: a is cooling.
        assertThat(a.requests()).hasSize(1);
        assertThat(b.requests()).hasSize(2);
    }

    @Test
    void anErrorEventAfterOutputEndsTheStreamWithResponseFailedAndIsNotReplayed() {
        a.defaultReply(ResponsesReply.errorEventAfter(2, "one two three four", "server_error", "boom"));
        b.defaultReply(ResponsesReply.ok("never"));
        startGateway();

        List<ResponseStreamEvent> events = stream(params());

        assertThat(deltas(events)).isEqualTo("one two ");
        assertThat(events.getLast().isFailed()).isTrue();
        assertThat(events).noneMatch(ResponseStreamEvent::isCompleted);
        // The gateway's response.failed takes the next number after the last event the client saw.
        assertThat(SequenceNumbers.of(events)).containsExactlyElementsOf(SequenceNumbers.fromZero(events.size()));
        assertThat(b.requests()).isEmpty();
        assertThat(a.requests()).hasSize(1);
    }

    private JsonNode admin(String path) {
        var response = gateway.get(path, GatewayUnderTest.LOCAL_KEY);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
