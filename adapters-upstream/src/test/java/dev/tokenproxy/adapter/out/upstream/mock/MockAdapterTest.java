package dev.tokenproxy.adapter.out.upstream.mock;

import static dev.tokenproxy.testing.OutcomeAssertions.assertRetryable;
import static dev.tokenproxy.testing.OutcomeAssertions.buffered;
import static dev.tokenproxy.testing.OutcomeAssertions.drain;
import static dev.tokenproxy.testing.OutcomeAssertions.streaming;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.ProviderOptions;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.routing.InboundFormat;
import dev.tokenproxy.domain.routing.ModelMappings;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@code mock} provider through {@code send(AttemptRequest)}, per format, stream or not, and fault: what the
 * client would get (bytes) and what the failover loop would see (the outcome).
 */
class MockAdapterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AttemptTimeouts GENEROUS =
            new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
    private static final AttemptTimeouts QUICK_FIRST_OUTPUT =
            new AttemptTimeouts(Duration.ofSeconds(2), Duration.ofMillis(150), Duration.ofSeconds(10));
    private static final Duration TEST_BOUND = Duration.ofSeconds(5);

    private final Clock clock = Clock.systemUTC();
    private final MockAdapter adapter = new MockAdapter(clock);

    // --- answers ------------------------------------------------------------------------------------------------

    @Test
    void aChatRequestGetsACompletionNamingTheUpstreamAndRepeatingTheLastUserMessage() throws Exception {
        var reply = buffered(adapter.send(chat("mock-a", MockScript.ANSWERS_ALWAYS, false)));

        JsonNode body = JSON.readTree(reply.body());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("model").asText()).isEqualTo("gpt-test");
        assertThat(body.at("/choices/0/message/content").asText())
                .isEqualTo("Hello from mock upstream mock-a. You said: say hi");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(2);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(9);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(11);
    }

    @Test
    void aChatStreamSendsTheTextInChunksThenUsageThenDone() throws Exception {
        var reply = streaming(adapter.send(chat("mock-a", MockScript.ANSWERS_ALWAYS, true)));

        List<String> frames = drain(reply.stream());
        assertThat(reply.headers()).containsEntry("content-type", "text/event-stream");
        assertThat(frames.getLast()).isEqualTo("data: [DONE]\n\n");
        assertThat(chatText(frames)).isEqualTo("Hello from mock upstream mock-a. You said: say hi");
        JsonNode usageChunk = data(frames.get(frames.size() - 2));
        assertThat(usageChunk.path("choices")).isEmpty();
        assertThat(usageChunk.at("/usage/completion_tokens").asInt()).isEqualTo(9);
    }

    @Test
    void aResponsesRequestGetsACompletedResponseObject() throws Exception {
        var reply = buffered(adapter.send(responses("mock-a", MockScript.ANSWERS_ALWAYS, false)));

        JsonNode body = JSON.readTree(reply.body());
        assertThat(body.path("object").asText()).isEqualTo("response");
        assertThat(body.path("status").asText()).isEqualTo("completed");
        assertThat(body.path("model").asText()).isEqualTo("gpt-test");
        assertThat(body.at("/output/0/content/0/text").asText())
                .isEqualTo("Hello from mock upstream mock-a. You said: say hi");
        assertThat(body.at("/usage/output_tokens").asInt()).isEqualTo(9);
    }

    @Test
    void aResponsesStreamNumbersItsEventsFromZeroAndEndsCompleted() throws Exception {
        var reply = streaming(adapter.send(responses("mock-a", MockScript.ANSWERS_ALWAYS, true)));

        List<JsonNode> events = responsesEvents(drain(reply.stream()));
        assertConsecutive(events);
        assertThat(events.getFirst().path("type").asText()).isEqualTo("response.created");
        assertThat(events.getLast().path("type").asText()).isEqualTo("response.completed");
        assertThat(deltas(events)).isEqualTo("Hello from mock upstream mock-a. You said: say hi");
        assertThat(events.getLast().at("/response/output/0/content/0/text").asText())
                .isEqualTo("Hello from mock upstream mock-a. You said: say hi");
    }

    @Test
    void anUpstreamThatEchoesTheRequestedModelAnswersUnderTheClientsName() throws Exception {
        var request = request(upstream("mock-a", MockScript.ANSWERS_ALWAYS, true), InboundFormat.CHAT,
                chatBody(false), false, GENEROUS, Instant.now().plusSeconds(30));

        JsonNode body = JSON.readTree(buffered(adapter.send(request)).body());

        assertThat(body.path("model").asText()).isEqualTo("alias");
    }

    // --- faults -------------------------------------------------------------------------------------------------

    @Nested
    class StatusFaults {

        @ParameterizedTest
        @EnumSource(value = InboundFormat.class, names = {"CHAT", "RESPONSES"})
        void aScripted503WithRetryAfterFailsOverAndCoolsForTheHint(InboundFormat format) throws Exception {
            var script = script(new MockFault.Status(503, Optional.of(2)), new MockSchedule.Always());

            var retry = assertRetryable(adapter.send(request(format, "mock-a", script, false)),
                    RetryReason.SERVER_ERROR);

            assertThat(retry.status()).isEqualTo(503);
            assertThat(retry.cooldown()).isEqualTo(new CooldownRule.Hinted(Duration.ofSeconds(2)));
            var shown = (UpstreamReply.Buffered) retry.response();
            assertThat(shown.headers()).containsEntry("retry-after", "2");
            assertThat(JSON.readTree(shown.body()).at("/error/message").asText()).contains("mock-a", "503");
        }

        @Test
        void aScripted429IsARateLimit() {
            var script = script(new MockFault.Status(429, Optional.empty()), new MockSchedule.Always());

            var retry = assertRetryable(adapter.send(chat("mock-a", script, true)), RetryReason.RATE_LIMITED);

            assertThat(retry.status()).isEqualTo(429);
        }
    }

    @ParameterizedTest
    @EnumSource(value = InboundFormat.class, names = {"CHAT", "RESPONSES"})
    void aResetIsATransportFailureBeforeAnyResponse(InboundFormat format) {
        var script = script(new MockFault.Reset(), new MockSchedule.Always());

        var retry = assertRetryable(adapter.send(request(format, "mock-a", script, true)),
                RetryReason.CONNECTION_RESET);

        assertThat(retry.response()).isNull();
    }

    @Nested
    class Stalls {

        @ParameterizedTest
        @EnumSource(value = InboundFormat.class, names = {"CHAT", "RESPONSES"})
        void aStalledStreamTimesOutAtTheFirstOutputLimit(InboundFormat format) {
            var script = script(new MockFault.Stall(), new MockSchedule.Always());
            var request = request(upstream("mock-a", script, false), format, body(format, true), true,
                    QUICK_FIRST_OUTPUT, Instant.now().plusSeconds(30));

            var outcome = assertTimeoutPreemptively(TEST_BOUND, () -> adapter.send(request));

            assertRetryable(outcome, RetryReason.TIMED_OUT);
        }

        @ParameterizedTest
        @EnumSource(value = InboundFormat.class, names = {"CHAT", "RESPONSES"})
        void aStalledAnswerTimesOutAtTheFirstOutputLimit(InboundFormat format) {
            var script = script(new MockFault.Stall(), new MockSchedule.Always());
            var request = request(upstream("mock-a", script, false), format, body(format, false), false,
                    QUICK_FIRST_OUTPUT, Instant.now().plusSeconds(30));

            var outcome = assertTimeoutPreemptively(TEST_BOUND, () -> adapter.send(request));

            assertRetryable(outcome, RetryReason.TIMED_OUT);
        }

        @Test
        void aStallEndsAtTheRequestDeadlineWhenThatComesFirst() {
            var script = script(new MockFault.Stall(), new MockSchedule.Always());
            var request = request(upstream("mock-a", script, false), InboundFormat.CHAT, chatBody(true), true,
                    GENEROUS, Instant.now().plusMillis(150));

            var outcome = assertTimeoutPreemptively(TEST_BOUND, () -> adapter.send(request));

            assertRetryable(outcome, RetryReason.TIMED_OUT);
        }

        @Test
        void aSlowFirstTokenWithinTheLimitIsAnsweredAfterTheDelay() {
            var script = script(new MockFault.SlowFirstToken(Duration.ofMillis(200)), new MockSchedule.Always());
            long start = System.nanoTime();

            var reply = streaming(adapter.send(chat("mock-a", script, true)));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(chatText(drain(reply.stream()))).startsWith("Hello from mock upstream mock-a.");
        }

        @Test
        void aFirstTokenSlowerThanTheLimitIsATimeout() {
            var script = script(new MockFault.SlowFirstToken(Duration.ofSeconds(30)), new MockSchedule.Always());
            var request = request(upstream("mock-a", script, false), InboundFormat.RESPONSES, responsesBody(true),
                    true, QUICK_FIRST_OUTPUT, Instant.now().plusSeconds(30));

            var outcome = assertTimeoutPreemptively(TEST_BOUND, () -> adapter.send(request));

            assertRetryable(outcome, RetryReason.TIMED_OUT);
        }
    }

    @Nested
    class Cuts {

        @ParameterizedTest
        @EnumSource(value = InboundFormat.class, names = {"CHAT", "RESPONSES"})
        void aStreamCutBeforeOutputIsRetryableAndInvisible(InboundFormat format) {
            var script = script(new MockFault.Cut(0), new MockSchedule.Always());

            var retry = assertRetryable(adapter.send(request(format, "mock-a", script, true)),
                    RetryReason.STREAM_FAILED_BEFORE_OUTPUT);

            assertThat(retry.response()).isNull();
        }

        @Test
        void aChatStreamCutAfterOutputEndsWithAnErrorEventThenDone() throws Exception {
            var script = script(new MockFault.Cut(2), new MockSchedule.Always());

            List<String> frames = drain(streaming(adapter.send(chat("mock-a", script, true))).stream());

            assertThat(chatText(frames)).isEqualTo("Hello from");
            assertThat(data(frames.get(frames.size() - 2)).at("/error/code").asText())
                    .isEqualTo("stream_interrupted");
            assertThat(frames.getLast()).isEqualTo("data: [DONE]\n\n");
        }

        @Test
        void aResponsesStreamCutAfterOutputEndsFailedWithConsecutiveNumbers() {
            var script = script(new MockFault.Cut(2), new MockSchedule.Always());

            List<JsonNode> events = responsesEvents(
                    drain(streaming(adapter.send(responses("mock-a", script, true))).stream()));

            assertConsecutive(events);
            assertThat(deltas(events)).isEqualTo("Hello from");
            assertThat(events.getLast().path("type").asText()).isEqualTo("response.failed");
        }

        @Test
        void aNonStreamAnswerCutWhileReadIsAReset() {
            var script = script(new MockFault.Cut(1), new MockSchedule.Always());

            assertRetryable(adapter.send(chat("mock-a", script, false)), RetryReason.CONNECTION_RESET);
        }
    }

    @ParameterizedTest
    @EnumSource(value = InboundFormat.class, names = {"CHAT", "RESPONSES"})
    void anEmptyCompletionIsRetryableWithoutCooldownStreamOrNot(InboundFormat format) {
        var script = script(new MockFault.EmptyCompletion(), new MockSchedule.Always());

        for (boolean stream : new boolean[] {false, true}) {
            var retry = assertRetryable(adapter.send(request(format, "mock-a", script, stream)),
                    RetryReason.EMPTY_COMPLETION);
            assertThat(retry.cooldown()).isEqualTo(new CooldownRule.None());
        }
    }

    // --- schedules ----------------------------------------------------------------------------------------------

    @Test
    void everySecondAttemptFailsStartingWithTheFirstCountedPerUpstream() {
        var flaky = script(new MockFault.Status(503, Optional.of(1)), new MockSchedule.Every(2));

        var outcomes = new ArrayList<AttemptOutcome<UpstreamReply>>();
        for (int i = 0; i < 4; i++) {
            outcomes.add(adapter.send(chat("flaky", flaky, false)));
        }
        var other = adapter.send(chat("other", flaky, false));

        assertThat(outcomes).extracting(o -> o instanceof AttemptOutcome.Success)
                .containsExactly(false, true, false, true);
        assertThat(other).isInstanceOf(AttemptOutcome.Retryable.class);
    }

    @Test
    void theFirstListedFaultWhoseScheduleHitsWins() {
        var script = new MockScript(List.of(
                new MockScript.Step(new MockFault.Reset(), new MockSchedule.First(1)),
                new MockScript.Step(new MockFault.Status(500, Optional.empty()), new MockSchedule.First(2))));

        assertRetryable(adapter.send(chat("mock-a", script, false)), RetryReason.CONNECTION_RESET);
        assertRetryable(adapter.send(chat("mock-a", script, false)), RetryReason.SERVER_ERROR);
        assertThat(adapter.send(chat("mock-a", script, false))).isInstanceOf(AttemptOutcome.Success.class);
    }

    // --- requests -----------------------------------------------------------------------------------------------

    private static MockScript script(MockFault fault, MockSchedule when) {
        return new MockScript(List.of(new MockScript.Step(fault, when)));
    }

    private static AttemptRequest chat(String upstreamId, MockScript script, boolean stream) {
        return request(InboundFormat.CHAT, upstreamId, script, stream);
    }

    private static AttemptRequest responses(String upstreamId, MockScript script, boolean stream) {
        return request(InboundFormat.RESPONSES, upstreamId, script, stream);
    }

    private static AttemptRequest request(InboundFormat format, String upstreamId, MockScript script, boolean stream) {
        return request(upstream(upstreamId, script, false), format, body(format, stream), stream, GENEROUS,
                Instant.now().plusSeconds(30));
    }

    private static AttemptRequest request(Upstream upstream, InboundFormat format, String body, boolean stream,
                                          AttemptTimeouts timeouts, Instant deadline) {
        return new AttemptRequest(upstream, upstream.keylessCredential(), format, "alias", "gpt-test",
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8), stream, timeouts, deadline);
    }

    private static Upstream upstream(String id, ProviderOptions script, boolean echoRequestedModel) {
        return new Upstream(id, MockAdapter.PROVIDER, URI.create("http://mock.invalid"), new CredentialSource.None(),
                0, true, Set.of(), ModelMappings.NONE, echoRequestedModel, true, script);
    }

    private static String body(InboundFormat format, boolean stream) {
        return format == InboundFormat.CHAT ? chatBody(stream) : responsesBody(stream);
    }

    private static String chatBody(boolean stream) {
        return "{\"model\":\"alias\",\"stream\":" + stream + ",\"stream_options\":{\"include_usage\":" + stream
                + "},\"messages\":[{\"role\":\"user\",\"content\":\"first\"},"
                + "{\"role\":\"assistant\",\"content\":\"ok\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"say hi\"}]}]}";
    }

    private static String responsesBody(boolean stream) {
        return "{\"model\":\"alias\",\"stream\":" + stream + ",\"input\":[{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"say hi\"}]}]}";
    }

    // --- reading what came back -----------------------------------------------------------------------------------

    private static JsonNode data(String frame) {
        try {
            return JSON.readTree(frame.substring(frame.indexOf("data: ") + "data: ".length()).strip());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + frame, e);
        }
    }

    private static String chatText(List<String> frames) {
        var text = new StringBuilder();
        for (String frame : frames) {
            if (!frame.startsWith("data: [DONE]")) {
                text.append(data(frame).at("/choices/0/delta/content").asText(""));
            }
        }
        return text.toString();
    }

    private static List<JsonNode> responsesEvents(List<String> frames) {
        return frames.stream().map(MockAdapterTest::data).toList();
    }

    private static String deltas(List<JsonNode> events) {
        var text = new StringBuilder();
        events.stream().filter(e -> "response.output_text.delta".equals(e.path("type").asText()))
                .forEach(e -> text.append(e.path("delta").asText()));
        return text.toString();
    }

    private static void assertConsecutive(List<JsonNode> events) {
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).path("sequence_number").asInt()).as("event %d", i).isEqualTo(i);
        }
    }
}
