package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code mock} provider through the running gateway, called with the official OpenAI SDK: Chat and Responses,
 * stream or not, answered in-process; and a fault configured on the first mock failing over to the second, as a
 * user would script it in their own CI.
 */
class MockUpstreamsEndToEndTest {

    private static final String MODEL = "gpt-test";

    @TempDir
    Path folder;

    private GatewayUnderTest gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** {@code mock-a} with {@code faults} (YAML flow list), then {@code mock-b} that always answers. */
    private void startGateway(String faults) {
        gateway = GatewayUnderTest.start(folder, """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                timeouts: { first_output_seconds: 5 }
                upstreams:
                  - { id: mock-a, provider: mock, mock: { faults: %s } }
                  - { id: mock-b, provider: mock }
                """.formatted(faults), Map.of());
    }

    private static ChatCompletionCreateParams chatParams() {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Say hello").build();
    }

    private static ResponseCreateParams params() {
        return ResponseCreateParams.builder().model(MODEL).input("Say hello").build();
    }

    private String chat() {
        ChatCompletion completion = gateway.sdk().chat().completions().create(chatParams());
        assertThat(completion.model()).isEqualTo(MODEL);
        assertThat(completion.usage()).isPresent();
        return completion.choices().getFirst().message().content().orElse("");
    }

    private String streamedChat() {
        var content = new StringBuilder();
        var params = chatParams().toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        var usage = new ArrayList<ChatCompletionChunk>();
        try (StreamResponse<ChatCompletionChunk> stream = gateway.sdk().chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(c -> c.delta().content().ifPresent(content::append));
                chunk.usage().ifPresent(u -> usage.add(chunk));
            });
        }
        assertThat(usage).hasSize(1);
        return content.toString();
    }

    private String responses() {
        Response response = gateway.sdk().responses().create(params());
        assertThat(response.usage()).isPresent();
        return response.output().stream().filter(ResponseOutputItem::isMessage)
                .flatMap(item -> item.asMessage().content().stream())
                .filter(content -> content.isOutputText())
                .map(content -> content.asOutputText().text())
                .collect(Collectors.joining());
    }

    private String streamedResponses() {
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = gateway.sdk().responses().createStreaming(params())) {
            stream.stream().forEach(events::add);
        }
        assertThat(events.getFirst().isCreated()).isTrue();
        assertThat(events.getLast().isCompleted()).isTrue();
        assertThat(events.getLast().asCompleted().sequenceNumber()).isEqualTo(events.size() - 1);
        return events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.joining());
    }

    @Test
    void chatAndResponsesStreamOrNotAreAnsweredByAMock() {
        startGateway("[]");

        String expected = "Hello from mock upstream mock-a. You said: Say hello";
        assertThat(chat()).isEqualTo(expected);
        assertThat(streamedChat()).isEqualTo(expected);
        assertThat(responses()).isEqualTo(expected);
        assertThat(streamedResponses()).isEqualTo(expected);
    }

    @Test
    void aScripted503WithRetryAfterFailsOverToTheSecondMock() {
        startGateway("[ { kind: status, status: 503, retry_after_seconds: 2 } ]");

        assertThat(chat()).startsWith("Hello from mock upstream mock-b.");
        assertThat(streamedResponses()).startsWith("Hello from mock upstream mock-b.");
    }

    @Test
    void aStreamCutBeforeOutputIsInvisibleAndFailsOverToTheSecondMock() {
        startGateway("[ { kind: cut, after_chunks: 0 } ]");

        assertThat(streamedChat()).startsWith("Hello from mock upstream mock-b.");
        assertThat(streamedResponses()).startsWith("Hello from mock upstream mock-b.");
    }

    @Test
    void anEmptyCompletionOnlyOnTheFirstAttemptIsNotShownToTheClient() {
        startGateway("[ { kind: empty, first: 1 } ]");

        assertThat(responses()).startsWith("Hello from mock upstream mock-");
    }
}
