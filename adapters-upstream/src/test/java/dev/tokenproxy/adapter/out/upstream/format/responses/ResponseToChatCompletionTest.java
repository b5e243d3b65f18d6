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

class ResponseToChatCompletionTest {

    private static JsonNode completion(String response) {
        return converted(ResponseToChatCompletion.convert(bytes(response)));
    }

    /** The response object of protocols.md §2. */
    @Test
    void reasoningTextAndFunctionCallsBecomeOneChoice() {
        assertConverted(ResponseToChatCompletion.convert(bytes("""
                {"id":"resp_1","object":"response","created_at":1700000000,"status":"completed","model":"m",
                 "error":null,"incomplete_details":null,"output":[
                  {"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"…"}]},
                  {"id":"msg_1","type":"message","status":"completed","role":"assistant",
                   "content":[{"type":"output_text","text":"Hi","annotations":[]}]},
                  {"id":"fc_1","type":"function_call","status":"completed","call_id":"call_1","name":"f","arguments":"{}"}],
                 "usage":{"input_tokens":12,"input_tokens_details":{"cached_tokens":8},
                  "output_tokens":30,"output_tokens_details":{"reasoning_tokens":20},"total_tokens":42}}""")), """
                {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hi","reasoning_content":"…",
                   "tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
                  "logprobs":null,"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42,
                  "prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"reasoning_tokens":20}}}""");
    }

    @Test
    void toolCallsKeepTheirOrderAndTextAloneLeavesContentNull() {
        JsonNode message = completion("""
                {"id":"resp_2","status":"completed","output":[
                  {"type":"function_call","call_id":"call_b","name":"b","arguments":"{}"},
                  {"type":"web_search_call","id":"ws_1","status":"completed"},
                  {"type":"function_call","call_id":"call_a","name":"a","arguments":"{\\"x\\":1}"}]}""")
                .at("/choices/0/message");
        assertThat(message).isEqualTo(tree("""
                {"role":"assistant","content":null,"tool_calls":[
                  {"id":"call_b","type":"function","function":{"name":"b","arguments":"{}"}},
                  {"id":"call_a","type":"function","function":{"name":"a","arguments":"{\\"x\\":1}"}}]}"""));
    }

    @Test
    void partsOfAMessageJoinAndSeparateMessagesAndSummariesBecomeParagraphs() {
        JsonNode message = completion("""
                {"id":"resp_3","status":"completed","output":[
                  {"type":"reasoning","summary":[{"type":"summary_text","text":"First."},{"type":"summary_text","text":"Second."}]},
                  {"type":"reasoning","summary":[],"content":[{"type":"reasoning_text","text":"Raw."}]},
                  {"type":"message","role":"assistant","content":[
                    {"type":"output_text","text":"Hel","annotations":[]},{"type":"output_text","text":"lo"}]},
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Bye"}]}]}""")
                .at("/choices/0/message");
        assertThat(message).isEqualTo(tree("""
                {"role":"assistant","content":"Hello\\n\\nBye","reasoning_content":"First.\\n\\nSecond.\\n\\nRaw."}"""));
    }

    @Test
    void aRefusalStaysARefusal() {
        JsonNode message = completion("""
                {"id":"resp_4","status":"completed","output":[{"type":"message","role":"assistant",
                  "content":[{"type":"refusal","refusal":"I can't help with that."}]}]}""").at("/choices/0/message");
        assertThat(message).isEqualTo(tree("""
                {"role":"assistant","content":null,"refusal":"I can't help with that."}"""));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "completed,  null,              false, stop",
            "completed,  null,              true,  tool_calls",
            "null,       null,              false, stop",
            "incomplete, max_output_tokens, false, length",
            "incomplete, max_output_tokens, true,  length",
            "incomplete, content_filter,    false, content_filter"})
    void statusAndIncompleteReasonDecideTheFinishReason(String status, String reason, boolean functionCall,
                                                       String finishReason) {
        String call = functionCall ? ",{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"\"}" : "";
        JsonNode completion = completion("""
                {"id":"resp_5"%s%s,"output":[{"type":"message","role":"assistant",
                  "content":[{"type":"output_text","text":"Hi"}]}%s]}""".formatted(
                status == null ? "" : ",\"status\":\"" + status + "\"",
                reason == null ? "" : ",\"incomplete_details\":{\"reason\":\"" + reason + "\"}",
                call));
        assertThat(completion.at("/choices/0/finish_reason").textValue()).isEqualTo(finishReason);
    }

    @Test
    void aCompletionComesBackFromItsResponseUnchanged() {
        String chat = """
                {"id":"chatcmpl-9","object":"chat.completion","created":1700000002,"model":"m",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Calling.","reasoning_content":"Plan.",
                   "tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},
                  "logprobs":null,"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":20,"completion_tokens":10,"total_tokens":30,
                  "prompt_tokens_details":{"cached_tokens":16},"completion_tokens_details":{"reasoning_tokens":4}}}""";
        byte[] response = ChatCompletionToResponse.convert(bytes(chat)).orElseThrow();
        assertConverted(ResponseToChatCompletion.convert(response), chat);
    }

    @Test
    void aResponseWithoutUsageGivesACompletionWithoutUsage() {
        assertThat(completion("""
                {"id":"resp_6","status":"completed","output":[],"usage":null}""").has("usage")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"failed", "cancelled", "queued", "in_progress"})
    void anUnfinishedOrFailedResponseIsNoCompletion(String status) {
        assertThat(ResponseToChatCompletion.convert(bytes("""
                {"id":"resp_7","status":"%s","output":[],"error":{"code":"server_error","message":"boom"}}"""
                .formatted(status)))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "null",
            "[{}]",
            "{\"id\":\"r\",\"status\":5,\"output\":[]}",
            "{\"id\":\"r\",\"output\":{}}",
            "{\"id\":\"r\",\"output\":[1]}",
            "{\"id\":\"r\",\"output\":[{\"id\":\"x\"}]}",
            "{\"id\":\"r\",\"output\":[{\"type\":\"message\",\"content\":\"Hi\"}]}",
            "{\"id\":\"r\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\"}]}]}",
            "{\"id\":\"r\",\"output\":[{\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\"}]}]}",
            "{\"id\":\"r\",\"output\":[{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{}\"}]}",
            "{\"id\":\"r\",\"output\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"arguments\":\"{}\"}]}"})
    void refusesWhatIsNotAResponse(String body) {
        assertThat(ResponseToChatCompletion.convert(bytes(body))).isEmpty();
    }
}
