package dev.tokenproxy.adapter.out.upstream.format.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recorded Anthropic Messages streams, as a Chat Completions client must see them through the pre-output gate. */
class MessagesToChatStreamDialectTest {

    @Test
    void textDeltasBecomeContentChunksThenTheFinishChunkTheUsageChunkAndDone() {
        var script = MessagesEventScript.script().start().ping().flush().textBlock(0, "Hel", "lo").blockStop(0)
                .finish("end_turn", 7);

        List<String> frames = frames(open(script, true));

        assertThat(frames.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = chunks(frames);
        assertThat(chunks.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(content(chunks, "content")).isEqualTo("Hello");
        assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = chunks.getLast();
        assertThat(usage.path("choices")).isEmpty();
        // Chat's prompt counts every prompt token: input 10 + cache read 4 + cache write 2.
        assertThat(usage.at("/usage/prompt_tokens").asInt()).isEqualTo(16);
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(7);
        assertThat(usage.at("/usage/total_tokens").asInt()).isEqualTo(23);
        assertThat(usage.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(4);
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.path("id").asText()).isEqualTo("chatcmpl-msg_1");
            assertThat(chunk.path("model").asText()).isEqualTo("claude-x");
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
        });
    }

    @Test
    void withoutIncludeUsageNoUsageChunkIsSent() {
        var script = MessagesEventScript.script().start().textBlock(0, "Hi").blockStop(0).finish("end_turn", 1);

        List<JsonNode> chunks = chunks(frames(open(script, false)));

        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("choices")).isNotEmpty());
    }

    @Test
    void thinkingBecomesReasoningContentAndItsSignatureIsDropped() {
        var script = MessagesEventScript.script().start().thinkingBlock(0, "Think.").textBlock(1, "Hi").blockStop(1)
                .finish("end_turn", 3);

        List<String> frames = frames(open(script, false));

        assertThat(content(chunks(frames), "reasoning_content")).isEqualTo("Think.");
        assertThat(content(chunks(frames), "content")).isEqualTo("Hi");
        assertThat(frames).noneMatch(frame -> frame.contains("sig"));
    }

    @Test
    void aToolUseBecomesAToolCallWithIdAndNameThenItsInputFragmentsAsArguments() {
        var script = MessagesEventScript.script().start().textBlock(0, "Let me look.").blockStop(0)
                .toolBlock(1, "toolu_1", "get_weather", "{\"ci", "ty\": \"Ro", "me\"}")
                .toolBlock(2, "toolu_2", "get_time", "")
                .finish("tool_use", 20);

        List<JsonNode> chunks = chunks(frames(open(script, false)));

        List<JsonNode> calls = new ArrayList<>();
        chunks.forEach(chunk -> chunk.at("/choices/0/delta/tool_calls").forEach(calls::add));
        assertThat(calls.getFirst().path("index").asInt()).isZero();
        assertThat(calls.getFirst().path("id").asText()).isEqualTo("toolu_1");
        assertThat(calls.getFirst().path("type").asText()).isEqualTo("function");
        assertThat(calls.getFirst().at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(calls.getFirst().at("/function/arguments").asText()).isEmpty();
        assertThat(arguments(calls, 0)).isEqualTo("{\"city\": \"Rome\"}");
        assertThat(calls.getLast().path("index").asInt()).isEqualTo(1);
        assertThat(calls.getLast().at("/function/name").asText()).isEqualTo("get_time");
        assertThat(calls).filteredOn(call -> call.has("id")).hasSize(2);
        assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    }

    @Test
    void theTokenLimitFinishesWithLengthAndARefusalWithContentFilter() {
        var cut = MessagesEventScript.script().start().textBlock(0, "cut").finish("max_tokens", 1);
        var refused = MessagesEventScript.script().start().textBlock(0, "No.").finish("refusal", 1);
        var sequence = MessagesEventScript.script().start().textBlock(0, "a").finish("stop_sequence", 1);

        assertThat(finishReason(cut)).isEqualTo("length");
        assertThat(finishReason(refused)).isEqualTo("content_filter");
        assertThat(finishReason(sequence)).isEqualTo("stop");
    }

    @Test
    void aMessageWithoutOutputIsAnEmptyCompletionButATokenLimitWithoutOutputIsDelivered() {
        var nothing = MessagesEventScript.script().start().ping().finish("end_turn", 0);
        var emptyText = MessagesEventScript.script().start().textBlock(0).blockStop(0).finish("end_turn", 0);
        var limit = MessagesEventScript.script().start().textBlock(0).blockStop(0).finish("max_tokens", 0);

        assertThat(failure(nothing).fault()).isEqualTo(Fault.EMPTY_COMPLETION);
        assertThat(failure(emptyText).fault()).isEqualTo(Fault.EMPTY_COMPLETION);
        assertThat(chunks(frames(open(limit, false))).getLast().at("/choices/0/finish_reason").asText())
                .isEqualTo("length");
    }

    @Test
    void anErrorEventBeforeOutputFailsTheAttemptWithTheUpstreamsType() {
        var script = MessagesEventScript.script().start().ping().error("overloaded_error", "Overloaded");

        AttemptSignal signal = failure(script);

        assertThat(signal.errorType()).isEqualTo("overloaded_error");
        assertThat(signal.fault()).isEqualTo(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
    }

    @Test
    void aFailureAfterOutputIsTheChatErrorEventThenDoneNeverAFinish() {
        var script = MessagesEventScript.script().start().textBlock(0, "Hi").flush()
                .error("overloaded_error", "Overloaded");

        List<String> frames = frames(open(script, true));

        assertThat(frames.getLast()).isEqualTo("[DONE]");
        JsonNode error = MessagesEventScript.tree(frames.get(frames.size() - 2));
        assertThat(error.at("/error/code").asText()).isEqualTo("overloaded_error");
        assertThat(error.at("/error/message").asText()).isEqualTo("Overloaded");
        assertThat(frames).noneMatch(frame -> frame.contains("finish_reason\":\"stop"));
    }

    @Test
    void anEndWithoutMessageStopAfterOutputIsAnErrorEvent() {
        var script = MessagesEventScript.script().start().textBlock(0, "Hi");

        List<String> frames = frames(open(script, true));

        assertThat(MessagesEventScript.tree(frames.get(frames.size() - 2)).at("/error/code").asText())
                .isEqualTo("stream_interrupted");
        assertThat(frames.getLast()).isEqualTo("[DONE]");
    }

    @Test
    void theClientsModelReplacesTheUpstreamsWhenEchoed() {
        var script = MessagesEventScript.script().start().textBlock(0, "Hi").finish("end_turn", 1);
        var opening = new PreOutputGate<>(script, new MessagesToChatStreamDialect("anthropic", "my-alias", false, 1))
                .open();

        List<JsonNode> chunks = chunks(frames(((PreOutputGate.Opening.Committed) opening).stream()));

        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("model").asText()).isEqualTo("my-alias"));
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private static ReplyStream open(MessagesEventScript script, boolean includeUsage) {
        var opening = new PreOutputGate<>(script,
                new MessagesToChatStreamDialect("anthropic", null, includeUsage, 1_700_000_000L)).open();
        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Committed.class);
        return ((PreOutputGate.Opening.Committed) opening).stream();
    }

    private static AttemptSignal failure(MessagesEventScript script) {
        var opening = new PreOutputGate<>(script,
                new MessagesToChatStreamDialect("anthropic", null, true, 1_700_000_000L)).open();
        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Failed.class);
        return ((PreOutputGate.Opening.Failed) opening).signal();
    }

    private static String finishReason(MessagesEventScript script) {
        return chunks(frames(open(script, false))).getLast().at("/choices/0/finish_reason").asText();
    }

    /** The data of each frame ({@code data: ...\n\n}); SSE comments (keep-alives) are left out. */
    private static List<String> frames(ReplyStream stream) {
        var frames = new ArrayList<String>();
        byte[] frame;
        while ((frame = stream.next()) != null) {
            String text = new String(frame, StandardCharsets.UTF_8);
            if (text.startsWith(":")) {
                continue;
            }
            assertThat(text).startsWith("data: ");
            frames.add(text.substring("data: ".length()).strip());
        }
        return frames;
    }

    private static List<JsonNode> chunks(List<String> frames) {
        return frames.stream().filter(f -> !f.equals("[DONE]")).map(MessagesEventScript::tree)
                .filter(chunk -> !chunk.has("error")).toList();
    }

    private static String content(List<JsonNode> chunks, String field) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.at("/choices/0/delta/" + field).asText("")));
        return text.toString();
    }

    private static String arguments(List<JsonNode> calls, int index) {
        StringBuilder arguments = new StringBuilder();
        calls.stream().filter(call -> call.path("index").asInt() == index)
                .forEach(call -> arguments.append(call.at("/function/arguments").asText()));
        return arguments.toString();
    }
}
