package dev.tokenproxy.adapter.out.upstream.format.responses;

import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.assertConverted;
import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.bytes;
import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.converted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResponsesToChatRequestTest {

    private static Optional<byte[]> convert(String responsesRequest) {
        return ResponsesToChatRequest.convert(bytes(responsesRequest), "upstream-model");
    }

    @Test
    void instructionsLeadAsSystemAndStringInputIsOneUserMessage() {
        assertConverted(convert("""
                {"model":"client-model","instructions":"Be brief.","input":"Say hello"}"""), """
                {"model":"upstream-model","messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"user","content":"Say hello"}]}""");
    }

    @Test
    void messageItemsKeepTheirRolesWithTextJoinedAndDeveloperAsSystem() {
        assertConverted(convert("""
                {"model":"m","input":[
                  {"type":"message","role":"developer","content":[{"type":"input_text","text":"Rules."}]},
                  {"type":"message","role":"user","content":[
                    {"type":"input_text","text":"first"},{"type":"input_text","text":"second"}]},
                  {"type":"message","role":"assistant","id":"msg_1","status":"completed",
                   "content":[{"type":"output_text","text":"Hi","annotations":[]}]},
                  {"role":"user","content":"short form"}]}"""), """
                {"model":"upstream-model","messages":[
                  {"role":"system","content":"Rules."},
                  {"role":"user","content":"first\\nsecond"},
                  {"role":"assistant","content":"Hi"},
                  {"role":"user","content":"short form"}]}""");
    }

    @Test
    void imagesKeepTheMessageAsContentParts() {
        assertConverted(convert("""
                {"model":"m","input":[{"type":"message","role":"user","content":[
                  {"type":"input_text","text":"What is this?"},
                  {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"low"},
                  {"type":"input_image","file_id":"file-1"}]}]}"""), """
                {"model":"upstream-model","messages":[{"role":"user","content":[
                  {"type":"text","text":"What is this?"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]}]}""");
    }

    @Test
    void functionCallsJoinThePrecedingAssistantTurnInOrderAndOutputsBecomeToolMessages() {
        assertConverted(convert("""
                {"model":"m","input":[
                  {"type":"message","role":"user","content":"Weather in Paris and Rome?"},
                  {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAA"},
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking."}]},
                  {"type":"function_call","id":"fc_1","call_id":"call_1","name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                  {"type":"function_call","id":"fc_2","call_id":"call_2","name":"weather","arguments":"{\\"city\\":\\"Rome\\"}"},
                  {"type":"function_call_output","call_id":"call_1","output":"18C"},
                  {"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"21C"}]},
                  {"type":"function_call","call_id":"call_3","name":"weather","arguments":"{}"}]}"""), """
                {"model":"upstream-model","messages":[
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"role":"assistant","content":"Checking.","tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"call_2","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"18C"},
                  {"role":"tool","tool_call_id":"call_2","content":"21C"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_3","type":"function","function":{"name":"weather","arguments":"{}"}}]}]}""");
    }

    @Test
    void flatFunctionToolsBecomeNestedAndHostedToolsAreDropped() {
        assertConverted(convert("""
                {"model":"m","input":"hi","tools":[
                  {"type":"function","name":"f","description":"d","parameters":{"type":"object"},"strict":true},
                  {"type":"web_search"},{"type":"file_search","vector_store_ids":["vs_1"]}],
                 "tool_choice":{"type":"function","name":"f"},"parallel_tool_calls":false}"""), """
                {"model":"upstream-model","messages":[{"role":"user","content":"hi"}],
                 "tools":[{"type":"function","function":{"name":"f","description":"d",
                   "parameters":{"type":"object"},"strict":true}}],
                 "tool_choice":{"type":"function","function":{"name":"f"}},"parallel_tool_calls":false}""");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"auto\"", "\"required\"", "\"none\""})
    void toolChoiceModesPassThrough(String mode) {
        JsonNode chat = converted(convert("""
                {"model":"m","input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":%s}"""
                .formatted(mode)));
        assertThat(chat.get("tool_choice")).isEqualTo(JsonDocuments.tree(mode));
    }

    @Test
    void toolChoiceAndParallelToolCallsAreLeftOutWhenNoFunctionToolRemains() {
        assertConverted(convert("""
                {"model":"m","input":"hi","tools":[{"type":"web_search"}],
                 "tool_choice":{"type":"web_search"},"parallel_tool_calls":true}"""), """
                {"model":"upstream-model","messages":[{"role":"user","content":"hi"}]}""");
    }

    @Test
    void jsonSchemaTextFormatBecomesResponseFormat() {
        assertConverted(convert("""
                {"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"answer",
                  "schema":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}}}"""), """
                {"model":"upstream-model","messages":[{"role":"user","content":"hi"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"answer",
                   "schema":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}}}""");
    }

    @Test
    void jsonObjectTextFormatBecomesResponseFormatAndPlainTextIsChatsDefault() {
        assertThat(converted(convert("""
                {"model":"m","input":"hi","text":{"format":{"type":"json_object"}}}""")).get("response_format"))
                .isEqualTo(JsonDocuments.tree("{\"type\":\"json_object\"}"));
        assertThat(converted(convert("""
                {"model":"m","input":"hi","text":{"format":{"type":"text"},"verbosity":"low"}}""")).has("response_format"))
                .isFalse();
    }

    @Test
    void samplingAndLimitsMapToTheirChatNamesAndResponsesOnlyFieldsAreDropped() {
        assertConverted(convert("""
                {"model":"m","input":"hi","max_output_tokens":256,"temperature":0.2,"top_p":0.9,
                 "user":"u-1","metadata":{"k":"v"},"reasoning":{"effort":"high","summary":"auto"},
                 "store":true,"previous_response_id":"resp_0","include":["reasoning.encrypted_content"],
                 "prompt_cache_key":"key","truncation":"auto","background":false}"""), """
                {"model":"upstream-model","messages":[{"role":"user","content":"hi"}],
                 "max_completion_tokens":256,"temperature":0.2,"top_p":0.9,"user":"u-1","metadata":{"k":"v"},
                 "reasoning_effort":"high"}""");
    }

    @ParameterizedTest
    @CsvSource({"true, true", "false, false"})
    void streamIsKeptAndAStreamAsksForUsage(boolean stream, boolean asksForUsage) {
        JsonNode chat = converted(convert("""
                {"model":"m","input":"hi","stream":%s}""".formatted(stream)));
        assertThat(chat.get("stream").booleanValue()).isEqualTo(stream);
        assertThat(chat.path("stream_options").path("include_usage").asBoolean(false)).isEqualTo(asksForUsage);
    }

    /** Composed after what codex-rs sends: developer and user context items, a tool turn, hosted tools, caching. */
    @Test
    void convertsACodexCliRequest() {
        assertConverted(convert("""
                {"model":"gpt-5-codex","instructions":"You are Codex, a coding agent.",
                 "input":[
                  {"type":"message","role":"developer","content":[{"type":"input_text","text":"<permissions>workspace-write</permissions>"}]},
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>cwd=/repo</environment_context>"}]},
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"List the files."}]},
                  {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Listing"}],"content":null,"encrypted_content":"gAAAA"},
                  {"type":"function_call","name":"shell","arguments":"{\\"command\\":[\\"ls\\"]}","call_id":"call_1"},
                  {"type":"function_call_output","call_id":"call_1","output":"README.md\\n"}],
                 "tools":[
                  {"type":"function","name":"shell","description":"Runs a shell command.","strict":false,
                   "parameters":{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"}}},
                     "required":["command"],"additionalProperties":false}},
                  {"type":"web_search"}],
                 "tool_choice":"auto","parallel_tool_calls":false,
                 "reasoning":{"effort":"medium","summary":"auto"},"store":false,"stream":true,
                 "include":["reasoning.encrypted_content"],"prompt_cache_key":"0199a1b2-session",
                 "text":{"verbosity":"low"}}"""), """
                {"model":"upstream-model","messages":[
                  {"role":"system","content":"You are Codex, a coding agent."},
                  {"role":"system","content":"<permissions>workspace-write</permissions>"},
                  {"role":"user","content":"<environment_context>cwd=/repo</environment_context>"},
                  {"role":"user","content":"List the files."},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"shell","arguments":"{\\"command\\":[\\"ls\\"]}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"README.md\\n"}],
                 "tools":[{"type":"function","function":{"name":"shell","description":"Runs a shell command.",
                   "parameters":{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"}}},
                     "required":["command"],"additionalProperties":false},"strict":false}}],
                 "tool_choice":"auto","parallel_tool_calls":false,"reasoning_effort":"medium",
                 "stream":true,"stream_options":{"include_usage":true}}""");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "not json",
            "[]",
            "\"input\"",
            "{\"model\":\"m\",\"input\":42}",
            "{\"model\":\"m\",\"input\":[\"text\"]}",
            "{\"model\":\"m\",\"instructions\":{},\"input\":\"hi\"}",
            "{\"model\":\"m\",\"input\":[{\"type\":\"message\",\"content\":\"no role\"}]}",
            "{\"model\":\"m\",\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":{}}]}",
            "{\"model\":\"m\",\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\"}]}]}",
            "{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{}\"}]}",
            "{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":7}]}",
            "{\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"output\":\"x\"}]}",
            "{\"model\":\"m\",\"input\":\"hi\",\"tools\":{}}",
            "{\"model\":\"m\",\"input\":\"hi\",\"tools\":[{\"type\":\"function\"}]}",
            "{\"model\":\"m\",\"input\":\"hi\",\"tools\":[{\"type\":\"function\",\"name\":\"f\"}],\"tool_choice\":[]}",
            "{\"model\":\"m\",\"input\":\"hi\",\"text\":{\"format\":\"json\"}}",
            "{\"model\":\"m\",\"input\":\"hi\",\"text\":{\"format\":{\"type\":\"json_schema\"}}}",
            "{\"model\":\"m\",\"input\":\"hi\",\"text\":{\"format\":{\"type\":\"grammar\"}}}"})
    void refusesWhatIsNotAResponsesRequest(String body) {
        assertThat(convert(body)).isEmpty();
    }
}
