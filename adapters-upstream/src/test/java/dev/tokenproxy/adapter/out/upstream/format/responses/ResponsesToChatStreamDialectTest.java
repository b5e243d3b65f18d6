package dev.tokenproxy.adapter.out.upstream.format.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Recorded Responses streams, as a Chat Completions client must see them through the pre-output gate. */
class ResponsesToChatStreamDialectTest {

    private static final String FUNCTION_CALL = "{\"id\":\"fc_1\",\"type\":\"function_call\",\"call_id\":\"call_1\","
            + "\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}";

    @Test
    void textDeltasBecomeContentChunksThenTheFinishChunkTheUsageChunkAndDone() {
        var script = ResponsesEventScript.fromZero().created().messageAdded().flush()
                .textDelta("Hel").textDelta("lo").completedWithText("Hello");

        List<String> frames = frames(open(script, true));

        assertThat(frames.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = chunks(frames);
        assertThat(chunks.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(content(chunks, "content")).isEqualTo("Hello");
        assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = chunks.getLast();
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.at("/usage/prompt_tokens").asInt()).isEqualTo(12);
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(30);
        assertThat(usage.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(8);
        assertThat(usage.at("/usage/completion_tokens_details/reasoning_tokens").asInt()).isEqualTo(20);
        assertThat(chunks.getFirst().path("id").asText()).isEqualTo("chatcmpl-resp_1".replace("resp_", ""));
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("model").asText()).isEqualTo("gpt-4.1"));
    }

    @Test
    void withoutIncludeUsageNoUsageChunkIsSent() {
        var script = ResponsesEventScript.fromZero().created().messageAdded().textDelta("Hi").completedWithText("Hi");

        List<JsonNode> chunks = chunks(frames(open(script, false)));

        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("choices")).isNotEmpty());
    }

    @Test
    void reasoningDeltasBecomeReasoningContent() {
        var script = ResponsesEventScript.fromZero().created()
                .event("response.reasoning_summary_text.delta", "{\"item_id\":\"rs_1\",\"output_index\":0,"
                        + "\"summary_index\":0,\"delta\":\"Think.\"}")
                .messageAdded().textDelta("Hi").completedWithText("Hi");

        List<JsonNode> chunks = chunks(frames(open(script, false)));

        assertThat(content(chunks, "reasoning_content")).isEqualTo("Think.");
        assertThat(content(chunks, "content")).isEqualTo("Hi");
    }

    @Test
    void aFunctionCallBecomesToolCallsWithIdAndNameThenArgumentFragmentsAndFinishesWithToolCalls() {
        var script = ResponsesEventScript.fromZero().created()
                .event("response.output_item.added", "{\"output_index\":0,\"item\":{\"id\":\"fc_1\","
                        + "\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"\"}}")
                .event("response.function_call_arguments.delta", "{\"item_id\":\"fc_1\",\"output_index\":0,"
                        + "\"delta\":\"{\\\"city\\\":\"}")
                .event("response.function_call_arguments.delta", "{\"item_id\":\"fc_1\",\"output_index\":0,"
                        + "\"delta\":\"\\\"Paris\\\"}\"}")
                .event("response.output_item.done", "{\"output_index\":0,\"item\":" + FUNCTION_CALL + "}")
                .terminal("response.completed", "completed", "[" + FUNCTION_CALL + "]", ResponsesEventScript.USAGE,
                        null);

        List<JsonNode> chunks = chunks(frames(open(script, false)));

        JsonNode header = chunks.get(1).at("/choices/0/delta/tool_calls/0");
        assertThat(header.path("index").asInt()).isZero();
        assertThat(header.path("id").asText()).isEqualTo("call_1");
        assertThat(header.at("/function/name").asText()).isEqualTo("get_weather");
        StringBuilder arguments = new StringBuilder();
        chunks.forEach(chunk -> chunk.at("/choices/0/delta/tool_calls").forEach(call ->
                arguments.append(call.at("/function/arguments").asText())));
        assertThat(arguments.toString()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    }

    @Test
    void twoFunctionCallsBecomeToolCallsZeroAndOneWithEachArgumentFragmentOnItsOwnCall() {
        String weather = "{\"id\":\"fc_1\",\"type\":\"function_call\",\"call_id\":\"call_1\","
                + "\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}";
        String time = "{\"id\":\"fc_2\",\"type\":\"function_call\",\"call_id\":\"call_2\","
                + "\"name\":\"get_time\",\"arguments\":\"{\\\"tz\\\":\\\"CET\\\"}\"}";
        // Both items are open at once and their argument fragments interleave.
        var script = ResponsesEventScript.fromZero().created()
                .event("response.output_item.added", "{\"output_index\":0,\"item\":{\"id\":\"fc_1\","
                        + "\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"\"}}")
                .event("response.output_item.added", "{\"output_index\":1,\"item\":{\"id\":\"fc_2\","
                        + "\"type\":\"function_call\",\"call_id\":\"call_2\",\"name\":\"get_time\",\"arguments\":\"\"}}")
                .event("response.function_call_arguments.delta", argumentsDelta("fc_1", 0, "{\\\"city\\\":"))
                .event("response.function_call_arguments.delta", argumentsDelta("fc_2", 1, "{\\\"tz\\\":"))
                .event("response.function_call_arguments.delta", argumentsDelta("fc_1", 0, "\\\"Paris\\\"}"))
                .event("response.function_call_arguments.delta", argumentsDelta("fc_2", 1, "\\\"CET\\\"}"))
                .event("response.output_item.done", "{\"output_index\":0,\"item\":" + weather + "}")
                .event("response.output_item.done", "{\"output_index\":1,\"item\":" + time + "}")
                .terminal("response.completed", "completed", "[" + weather + "," + time + "]",
                        ResponsesEventScript.USAGE, null);

        List<JsonNode> chunks = chunks(frames(open(script, false)));

        List<JsonNode> calls = chunks.stream()
                .flatMap(chunk -> StreamSupport.stream(
                        chunk.at("/choices/0/delta/tool_calls").spliterator(), false))
                .toList();
        List<JsonNode> headers = calls.stream().filter(call -> call.has("id")).toList();
        assertThat(headers).extracting(call -> call.path("index").asInt()).containsExactly(0, 1);
        assertThat(headers).extracting(call -> call.path("id").asText()).containsExactly("call_1", "call_2");
        assertThat(headers).extracting(call -> call.at("/function/name").asText())
                .containsExactly("get_weather", "get_time");
        assertThat(calls).extracting(call -> call.path("index").asInt()).containsOnly(0, 1);
        assertThat(argumentsOf(calls, 0)).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(argumentsOf(calls, 1)).isEqualTo("{\"tz\":\"CET\"}");
        assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    }

    @Test
    void anIncompleteResponseFinishesWithLengthOrContentFilter() {
        var cut = ResponsesEventScript.fromZero().created().messageAdded().textDelta("cut")
                .terminal("response.incomplete", "incomplete", "[]", ResponsesEventScript.USAGE, "max_output_tokens");
        var filtered = ResponsesEventScript.fromZero().created().messageAdded().textDelta("x")
                .terminal("response.incomplete", "incomplete", "[]", ResponsesEventScript.USAGE, "content_filter");

        assertThat(chunks(frames(open(cut, false))).getLast().at("/choices/0/finish_reason").asText())
                .isEqualTo("length");
        assertThat(chunks(frames(open(filtered, false))).getLast().at("/choices/0/finish_reason").asText())
                .isEqualTo("content_filter");
    }

    @Test
    void aFailedResponseBeforeOutputFailsTheAttemptWithItsCodeAndHint() {
        var script = ResponsesEventScript.fromZero().created()
                .failed("rate_limit_exceeded", "Please try again in 2s.");

        AttemptSignal signal = failure(script);

        assertThat(signal.errorCode()).isEqualTo("rate_limit_exceeded");
        assertThat(signal.waitHint()).contains(Duration.ofSeconds(2));
    }

    @Test
    void aCompletedResponseWithNothingInItIsAnEmptyCompletion() {
        var script = ResponsesEventScript.fromZero().created().messageAdded()
                .terminal("response.completed", "completed", "[]", ResponsesEventScript.USAGE, null);

        assertThat(failure(script).fault()).isEqualTo(Fault.EMPTY_COMPLETION);
    }

    @Test
    void aFailureAfterOutputIsTheChatErrorEventThenDone() {
        var script = ResponsesEventScript.fromZero().created().messageAdded().textDelta("Hi").flush()
                .failed("server_error", "boom");

        List<String> frames = frames(open(script, true));

        assertThat(frames.getLast()).isEqualTo("[DONE]");
        JsonNode error = ResponsesEventScript.tree(frames.get(frames.size() - 2));
        assertThat(error.at("/error/code").asText()).isEqualTo("server_error");
        assertThat(frames).noneMatch(frame -> frame.contains("finish_reason\":\"stop"));
    }

    @Test
    void anEndWithoutTerminalEventAfterOutputIsAnErrorEventNeverAFinish() {
        var script = ResponsesEventScript.fromZero().created().messageAdded().textDelta("Hi");

        List<String> frames = frames(open(script, true));

        assertThat(ResponsesEventScript.tree(frames.get(frames.size() - 2)).at("/error/code").asText())
                .isEqualTo("stream_interrupted");
        assertThat(frames).noneMatch(frame -> frame.contains("\"finish_reason\":\"stop\""));
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private static ReplyStream open(ResponsesEventScript script, boolean includeUsage) {
        var opening = new PreOutputGate<>(script,
                new ResponsesToChatStreamDialect("openai_responses", null, includeUsage)).open();
        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Committed.class);
        return ((PreOutputGate.Opening.Committed) opening).stream();
    }

    private static AttemptSignal failure(ResponsesEventScript script) {
        var opening = new PreOutputGate<>(script,
                new ResponsesToChatStreamDialect("openai_responses", null, true)).open();
        assertThat(opening).isInstanceOf(PreOutputGate.Opening.Failed.class);
        return ((PreOutputGate.Opening.Failed) opening).signal();
    }

    /** The data of each frame ({@code data: ...\n\n}). */
    private static List<String> frames(ReplyStream stream) {
        var frames = new ArrayList<String>();
        byte[] frame;
        while ((frame = stream.next()) != null) {
            String text = new String(frame, StandardCharsets.UTF_8);
            assertThat(text).startsWith("data: ");
            frames.add(text.substring("data: ".length()).strip());
        }
        return frames;
    }

    private static List<JsonNode> chunks(List<String> frames) {
        return frames.stream().filter(f -> !f.equals("[DONE]")).map(ResponsesEventScript::tree)
                .filter(chunk -> !chunk.has("error")).toList();
    }

    private static String argumentsDelta(String itemId, int outputIndex, String fragment) {
        return "{\"item_id\":\"" + itemId + "\",\"output_index\":" + outputIndex + ",\"delta\":\"" + fragment + "\"}";
    }

    /** The argument fragments sent for the tool call at Chat's {@code index}, joined. */
    private static String argumentsOf(List<JsonNode> calls, int index) {
        var arguments = new StringBuilder();
        calls.stream().filter(call -> call.path("index").asInt() == index)
                .forEach(call -> arguments.append(call.at("/function/arguments").asText()));
        return arguments.toString();
    }

    private static String content(List<JsonNode> chunks, String field) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.at("/choices/0/delta/" + field).asText("")));
        return text.toString();
    }
}
