package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.http.StreamResponse;
import com.openai.core.JsonValue;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Responses clients (the official OpenAI SDK's {@code responses()}) served by Chat Completions upstreams, through the
 * running gateway: the request is converted to Chat, the answer back to a response object or Responses events.
 */
class ResponsesByConversionEndToEndTest {

    private static final String MODEL = "gpt-test";

    @TempDir
    Path folder;

    private final FakeOpenAiUpstream a = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream b = FakeOpenAiUpstream.start();
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
                  - { id: a, provider: openai, base_url: "%s", api_keys: ["ka"] }
                  - { id: b, provider: openai, base_url: "%s", api_keys: ["kb"] }
                """.formatted(a.baseUrl(), b.baseUrl());
        gateway = GatewayUnderTest.start(folder, yaml, Map.of());
    }

    private static ResponseCreateParams params() {
        return ResponseCreateParams.builder().model(MODEL).instructions("Answer briefly.").input("Say hello").build();
    }

    private static String text(Response response) {
        return response.output().stream().filter(ResponseOutputItem::isMessage)
                .flatMap(item -> item.asMessage().content().stream())
                .filter(content -> content.isOutputText())
                .map(content -> content.asOutputText().text())
                .collect(Collectors.joining());
    }

    @Test
    void aNonStreamResponsesCallIsServedByAChatUpstream() {
        a.defaultReply(Reply.ok("Hello there friend"));
        startGateway();

        Response response = gateway.sdk().responses().create(params());

        assertThat(text(response)).isEqualTo("Hello there friend");
        assertThat(response.usage()).isPresent();
        var sent = a.requests().getFirst().json();
        assertThat(sent.path("messages").path(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.path("messages").path(0).path("content").asText()).isEqualTo("Answer briefly.");
        assertThat(sent.path("messages").path(1).path("content").asText()).isEqualTo("Say hello");
    }

    @Test
    void aStreamingResponsesCallGetsTheResponsesEventsWithConsecutiveSequenceNumbers() {
        a.defaultReply(Reply.ok("Hello there friend"));
        startGateway();

        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = gateway.sdk().responses().createStreaming(params())) {
            stream.stream().forEach(events::add);
        }

        String deltas = events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.joining());
        assertThat(deltas).isEqualTo("Hello there friend");
        assertThat(events.getLast().isCompleted()).isTrue();
        assertThat(text(events.getLast().asCompleted().response())).isEqualTo("Hello there friend");
        assertThat(SequenceNumbers.of(events)).containsExactlyElementsOf(SequenceNumbers.fromZero(events.size()));
        assertThat(a.requests().getFirst().json().path("stream_options").path("include_usage").asBoolean()).isTrue();
    }

    @Test
    void aChatUpstreamsCachedAndReasoningTokensReachANonStreamResponsesClientInItsUsage() {
        a.defaultReply(Reply.ok("Hello there friend").withUsage(new Reply.Usage(40, 32, 25, 21)));
        startGateway();

        ResponseUsage usage = gateway.sdk().responses().create(params()).usage().orElseThrow();

        assertUsageOf40In32CachedAnd25Out21Reasoning(usage);
    }

    @Test
    void aChatUpstreamsCachedAndReasoningTokensReachAStreamingResponsesClientInResponseCompleted() {
        a.defaultReply(Reply.ok("Hello there friend").withUsage(new Reply.Usage(40, 32, 25, 21)));
        startGateway();

        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = gateway.sdk().responses().createStreaming(params())) {
            stream.stream().forEach(events::add);
        }

        assertUsageOf40In32CachedAnd25Out21Reasoning(events.getLast().asCompleted().response().usage().orElseThrow());
    }

    private static void assertUsageOf40In32CachedAnd25Out21Reasoning(ResponseUsage usage) {
        assertThat(usage.inputTokens()).isEqualTo(40);
        assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(32);
        assertThat(usage.outputTokens()).isEqualTo(25);
        assertThat(usage.outputTokensDetails().reasoningTokens()).isEqualTo(21);
        assertThat(usage.totalTokens()).isEqualTo(65);
    }

    @Test
    void aToolCallRoundTripsBetweenAResponsesClientAndAChatUpstream() {
        a.script(MODEL, FakeOpenAiUpstream.ANY, Reply.toolCall("call_7", "get_weather", "{\"city\":\"Paris\"}"),
                Reply.ok("It is sunny in Paris"));
        startGateway();
        var weather = FunctionTool.builder().name("get_weather").strict(false)
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build();

        Response first = gateway.sdk().responses().create(ResponseCreateParams.builder().model(MODEL)
                .input("Weather in Paris?").addTool(weather).build());

        var call = first.output().stream().filter(ResponseOutputItem::isFunctionCall).findFirst().orElseThrow()
                .asFunctionCall();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.callId()).isEqualTo("call_7");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\"}");
        var toChat = a.requests().getFirst().json();
        assertThat(toChat.at("/tools/0/function/name").asText()).isEqualTo("get_weather");

        Response second = gateway.sdk().responses().create(ResponseCreateParams.builder().model(MODEL)
                .inputOfResponse(List.of(
                        ResponseInputItem.ofFunctionCall(call),
                        ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                                .callId("call_7").output("{\"sky\":\"sunny\"}").build())))
                .addTool(weather).build());

        assertThat(text(second)).isEqualTo("It is sunny in Paris");
        var messages = a.requests().get(1).json().path("messages");
        assertThat(messages.at("/0/role").asText()).isEqualTo("assistant");
        assertThat(messages.at("/0/tool_calls/0/id").asText()).isEqualTo("call_7");
        assertThat(messages.at("/0/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(messages.at("/1/role").asText()).isEqualTo("tool");
        assertThat(messages.at("/1/tool_call_id").asText()).isEqualTo("call_7");
        assertThat(messages.at("/1/content").asText()).isEqualTo("{\"sky\":\"sunny\"}");
    }

    @Test
    void aStreamedToolCallArrivesAsFunctionCallEvents() {
        a.defaultReply(Reply.toolCall("call_8", "get_weather", "{\"city\":\"Oslo\"}"));
        startGateway();

        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = gateway.sdk().responses().createStreaming(params())) {
            stream.stream().forEach(events::add);
        }

        String arguments = events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDelta)
                .map(e -> e.asFunctionCallArgumentsDelta().delta()).collect(Collectors.joining());
        assertThat(arguments).isEqualTo("{\"city\":\"Oslo\"}");
        var output = events.getLast().asCompleted().response().output();
        assertThat(output).singleElement().satisfies(item -> {
            assertThat(item.asFunctionCall().name()).isEqualTo("get_weather");
            assertThat(item.asFunctionCall().callId()).isEqualTo("call_8");
        });
    }

    @Test
    void aStreamThatFailsBeforeOutputFailsOverInvisiblyToTheNextUpstream() {
        a.defaultReply(Reply.errorEventBeforeOutput());
        b.defaultReply(Reply.ok("from b"));
        startGateway();

        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = gateway.sdk().responses().createStreaming(params())) {
            stream.stream().forEach(events::add);
        }

        assertThat(events.getFirst().isCreated()).isTrue();
        assertThat(events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.joining())).isEqualTo("from b");
        assertThat(events).noneMatch(ResponseStreamEvent::isFailed);
        // Only b's attempt numbered what the client saw: from 0, without a gap where a's held-back events were.
        assertThat(SequenceNumbers.of(events)).containsExactlyElementsOf(SequenceNumbers.fromZero(events.size()));
        // a was resent in place once (same_upstream_retries: 1), then b answered.
        assertThat(b.requests()).hasSize(1);
    }

    @Test
    void aStreamCutAfterOutputEndsWithResponseFailedContinuingTheNumbersAndIsNotReplayed() {
        a.defaultReply(Reply.streamCutAfter(2, "one two three four"));
        b.defaultReply(Reply.ok("never"));
        startGateway();

        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = gateway.sdk().responses().createStreaming(params())) {
            stream.stream().forEach(events::add);
        }

        assertThat(events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.joining())).isEqualTo("one two ");
        assertThat(events.getLast().isFailed()).isTrue();
        assertThat(SequenceNumbers.of(events)).containsExactlyElementsOf(SequenceNumbers.fromZero(events.size()));
        assertThat(b.requests()).isEmpty();
    }
}
