package dev.tokenproxy.adapter.out.upstream.format.responses;

import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.assertConverted;
import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.bytes;
import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.converted;
import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatCompletionToResponseTest {

    private static JsonNode response(String chatCompletion) {
        return converted(ChatCompletionToResponse.convert(bytes(chatCompletion)));
    }

    @Test
    void aTextCompletionBecomesACompletedResponseWithOneMessage() {
        assertConverted(ChatCompletionToResponse.convert(bytes("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,
                  "prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"reasoning_tokens":0}}}""")), """
                {"id":"resp_chatcmpl-1","object":"response","created_at":1700000000,"status":"completed","model":"m",
                 "error":null,"incomplete_details":null,"output":[
                  {"id":"msg_chatcmpl-1","type":"message","status":"completed","role":"assistant",
                   "content":[{"type":"output_text","text":"Hi","annotations":[]}]}],
                 "usage":{"input_tokens":12,"input_tokens_details":{"cached_tokens":8},
                  "output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":15}}""");
    }

    @Test
    void reasoningPrecedesTheMessageAndToolCallsFollowAsFunctionCallItems() {
        assertConverted(ChatCompletionToResponse.convert(bytes("""
                {"id":"chatcmpl-2","created":1700000001,"model":"m","choices":[{"index":0,"message":{
                  "role":"assistant","content":"Checking.","reasoning_content":"Two cities, two calls.",
                  "tool_calls":[
                   {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                   {"id":"call_2","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
                  "finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":50,"completion_tokens":40,"total_tokens":90,
                  "prompt_tokens_details":{"cached_tokens":32},"completion_tokens_details":{"reasoning_tokens":25}}}"""),
                "resp_given"), """
                {"id":"resp_given","object":"response","created_at":1700000001,"status":"completed","model":"m",
                 "error":null,"incomplete_details":null,"output":[
                  {"id":"rs_given","type":"reasoning","summary":[{"type":"summary_text","text":"Two cities, two calls."}]},
                  {"id":"msg_given","type":"message","status":"completed","role":"assistant",
                   "content":[{"type":"output_text","text":"Checking.","annotations":[]}]},
                  {"id":"fc_call_1","type":"function_call","status":"completed","call_id":"call_1","name":"weather",
                   "arguments":"{\\"city\\":\\"Paris\\"}"},
                  {"id":"fc_call_2","type":"function_call","status":"completed","call_id":"call_2","name":"weather",
                   "arguments":"{\\"city\\":\\"Rome\\"}"}],
                 "usage":{"input_tokens":50,"input_tokens_details":{"cached_tokens":32},
                  "output_tokens":40,"output_tokens_details":{"reasoning_tokens":25},"total_tokens":90}}""");
    }

    @Test
    void reasoningUnderTheShorterNameIsReadToo() {
        JsonNode response = response("""
                {"id":"c","choices":[{"message":{"role":"assistant","content":"4","reasoning":"2+2"},
                  "finish_reason":"stop"}]}""");
        assertThat(response.at("/output/0")).isEqualTo(tree("""
                {"id":"rs_c","type":"reasoning","summary":[{"type":"summary_text","text":"2+2"}]}"""));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "'\"stop\"',           completed,  null",
            "'\"tool_calls\"',     completed,  null",
            "null,                 completed,  null",
            "'\"length\"',         incomplete, max_output_tokens",
            "'\"content_filter\"', incomplete, content_filter"})
    void finishReasonDecidesTheStatus(String finishReason, String status, String incompleteReason) {
        JsonNode response = response("""
                {"id":"c","choices":[{"message":{"role":"assistant","content":"Hi"},"finish_reason":%s}]}"""
                .formatted(finishReason));
        assertThat(response.get("status").textValue()).isEqualTo(status);
        assertThat(response.at("/output/0/status").textValue()).isEqualTo(status);
        assertThat(response.get("incomplete_details")).isEqualTo(incompleteReason == null
                ? tree("null") : tree("{\"reason\":\"" + incompleteReason + "\"}"));
    }

    @Test
    void aResponseWithoutUsageSaysSoAndTotalsAreSummedWhenMissing() {
        assertThat(response("""
                {"id":"c","choices":[{"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}]}""")
                .get("usage").isNull()).isTrue();
        assertThat(response("""
                {"id":"c","choices":[{"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":5,"completion_tokens":2}}""").get("usage")).isEqualTo(tree("""
                {"input_tokens":5,"input_tokens_details":{"cached_tokens":0},
                 "output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":7}"""));
    }

    @Test
    void toolCallsWithoutIdsGetOnesDerivedFromTheResponse() {
        JsonNode response = response("""
                {"id":"chatcmpl-3","choices":[{"message":{"role":"assistant","content":null,"tool_calls":[
                  {"type":"function","function":{"name":"f","arguments":"{}"}},
                  {"id":"","type":"function","function":{"name":"g","arguments":"{}"}}]},
                  "finish_reason":"tool_calls"}]}""");
        assertThat(response.get("output")).isEqualTo(tree("""
                [{"id":"fc_call_chatcmpl-3_0","type":"function_call","status":"completed",
                  "call_id":"call_chatcmpl-3_0","name":"f","arguments":"{}"},
                 {"id":"fc_call_chatcmpl-3_1","type":"function_call","status":"completed",
                  "call_id":"call_chatcmpl-3_1","name":"g","arguments":"{}"}]"""));
    }

    @Test
    void anEmptyCompletionHasNoOutputItemsAndACompletionWithoutIdStillGetsOne() {
        JsonNode response = response("""
                {"choices":[{"message":{"role":"assistant","content":""},"finish_reason":"stop"}]}""");
        assertThat(response.get("output")).isEmpty();
        assertThat(response.get("id").textValue()).startsWith("resp_").hasSizeGreaterThan("resp_".length());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "[]",
            "{\"id\":\"c\"}",
            "{\"id\":\"c\",\"choices\":[]}",
            "{\"id\":\"c\",\"choices\":{}}",
            "{\"id\":\"c\",\"choices\":[{\"finish_reason\":\"stop\"}]}",
            "{\"id\":\"c\",\"choices\":[{\"message\":{\"content\":{}}}]}",
            "{\"id\":\"c\",\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":1}]}",
            "{\"id\":\"c\",\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\"}]}}]}",
            "{\"id\":\"c\",\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"t\",\"function\":{\"arguments\":\"{}\"}}]}}]}"})
    void refusesWhatIsNotAChatCompletion(String body) {
        assertThat(ChatCompletionToResponse.convert(bytes(body))).isEmpty();
        assertThat(ChatCompletionToResponse.convert(bytes(body), "resp_1")).isEmpty();
    }
}
