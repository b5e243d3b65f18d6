package dev.tokenproxy.adapter.out.upstream.format.responses;

import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.assertConverted;
import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.bytes;
import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.converted;
import static dev.tokenproxy.adapter.out.upstream.format.responses.JsonDocuments.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatToResponsesRequestTest {

    private static Optional<byte[]> convert(String chatRequest) {
        return ChatToResponsesRequest.convert(bytes(chatRequest), "upstream-model");
    }

    @Test
    void systemAndDeveloperMessagesBecomeInstructionsAndTheRestInputItems() {
        assertConverted(convert("""
                {"model":"client-model","messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"developer","content":[{"type":"text","text":"No emoji."}]},
                  {"role":"user","content":"Say hello"},
                  {"role":"assistant","content":"Hello"},
                  {"role":"user","content":"Again"}]}"""), """
                {"model":"upstream-model","instructions":"Be brief.\\n\\nNo emoji.","input":[
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"Say hello"}]},
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello"}]},
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"Again"}]}],
                 "store":false}""");
    }

    @Test
    void userContentPartsBecomeInputParts() {
        assertConverted(convert("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"text","text":"What is this?"},
                  {"type":"image_url","image_url":{"url":"https://example.com/a.png"}},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"high"}},
                  {"type":"file","file":{"file_id":"file-1"}},
                  {"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]}"""), """
                {"model":"upstream-model","input":[{"type":"message","role":"user","content":[
                  {"type":"input_text","text":"What is this?"},
                  {"type":"input_image","image_url":"https://example.com/a.png","detail":"auto"},
                  {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"high"},
                  {"type":"input_file","file_id":"file-1"}]}],
                 "store":false}""");
    }

    @Test
    void assistantToolCallsBecomeFunctionCallItemsAndToolMessagesTheirOutputs() {
        assertConverted(convert("""
                {"model":"m","messages":[
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"role":"assistant","content":"Checking.","tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"call_2","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"18C"},
                  {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"21C"}]}]}"""), """
                {"model":"upstream-model","input":[
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"Weather in Paris and Rome?"}]},
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking."}]},
                  {"type":"function_call","call_id":"call_1","name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                  {"type":"function_call","call_id":"call_2","name":"weather","arguments":"{\\"city\\":\\"Rome\\"}"},
                  {"type":"function_call_output","call_id":"call_1","output":"18C"},
                  {"type":"function_call_output","call_id":"call_2","output":"21C"}],
                 "store":false}""");
    }

    @Test
    void nestedToolsBecomeFlatAndNonStrictUnlessTheClientSaidStrict() {
        assertConverted(convert("""
                {"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[
                  {"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"}}},
                  {"type":"function","function":{"name":"g","parameters":{"type":"object"},"strict":true}}],
                 "tool_choice":{"type":"function","function":{"name":"g"}},"parallel_tool_calls":true}"""), """
                {"model":"upstream-model","input":[
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}],
                 "tools":[
                  {"type":"function","name":"f","description":"d","parameters":{"type":"object"},"strict":false},
                  {"type":"function","name":"g","parameters":{"type":"object"},"strict":true}],
                 "tool_choice":{"type":"function","name":"g"},"parallel_tool_calls":true,"store":false}""");
    }

    @Test
    void jsonSchemaResponseFormatBecomesTextFormat() {
        assertConverted(convert("""
                {"model":"m","messages":[{"role":"user","content":"hi"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"answer","description":"d",
                   "schema":{"type":"object"},"strict":true}}}"""), """
                {"model":"upstream-model","input":[
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}],
                 "text":{"format":{"type":"json_schema","name":"answer","description":"d",
                   "schema":{"type":"object"},"strict":true}},"store":false}""");
    }

    @ParameterizedTest
    @ValueSource(strings = {"json_object", "text"})
    void otherResponseFormatsKeepTheirType(String type) {
        JsonNode request = converted(convert("""
                {"model":"m","messages":[],"response_format":{"type":"%s"}}""".formatted(type)));
        assertThat(request.path("text").path("format")).isEqualTo(tree("{\"type\":\"" + type + "\"}"));
    }

    @ParameterizedTest
    @CsvSource({
            "'\"max_tokens\":100', 100",
            "'\"max_completion_tokens\":200', 200",
            "'\"max_tokens\":100,\"max_completion_tokens\":200', 200",
            "'\"max_completion_tokens\":200,\"max_tokens\":100', 200"})
    void eitherTokenLimitBecomesMaxOutputTokensAndTheNewerNameWins(String limits, int expected) {
        JsonNode request = converted(convert("{\"model\":\"m\",\"messages\":[]," + limits + "}"));
        assertThat(request.get("max_output_tokens").intValue()).isEqualTo(expected);
    }

    @Test
    void samplingEffortAndStreamCarryOverAndChatOnlyFieldsAreDropped() {
        assertConverted(convert("""
                {"model":"m","messages":[],"temperature":0.2,"top_p":0.9,"user":"u-1","metadata":{"k":"v"},
                 "reasoning_effort":"low","stream":true,"stream_options":{"include_usage":true},
                 "n":1,"stop":["END"],"seed":7,"logprobs":false,"frequency_penalty":0.1,"presence_penalty":0.1}"""), """
                {"model":"upstream-model","input":[],"temperature":0.2,"top_p":0.9,"user":"u-1","metadata":{"k":"v"},
                 "reasoning":{"effort":"low"},"stream":true,"store":false}""");
    }

    @Test
    void storesOnlyWhenTheChatClientAskedTo() {
        assertThat(converted(convert("{\"model\":\"m\",\"messages\":[],\"store\":true}")).get("store").booleanValue())
                .isTrue();
        assertThat(converted(convert("{\"model\":\"m\",\"messages\":[]}")).get("store").booleanValue()).isFalse();
    }

    @Test
    void aToolConversationSurvivesTheRoundTripThroughChat() {
        String responses = """
                {"model":"upstream-model","instructions":"Use tools.","input":[
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"Weather in Paris?"}]},
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking."}]},
                  {"type":"function_call","call_id":"call_1","name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                  {"type":"function_call_output","call_id":"call_1","output":"18C"}],
                 "tools":[{"type":"function","name":"weather","parameters":{"type":"object"},"strict":false}],
                 "tool_choice":"auto","max_output_tokens":300,"reasoning":{"effort":"minimal"},
                 "text":{"format":{"type":"json_object"}},"stream":false,"store":false}""";
        byte[] chat = ResponsesToChatRequest.convert(bytes(responses), "upstream-model").orElseThrow();
        assertConverted(ChatToResponsesRequest.convert(chat, "upstream-model"), responses);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "[1]",
            "{\"model\":\"m\",\"messages\":{}}",
            "{\"model\":\"m\",\"messages\":[\"hi\"]}",
            "{\"model\":\"m\",\"messages\":[{\"content\":\"no role\"}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"function\",\"name\":\"f\",\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":7}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\"}]}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}]}",
            "{\"model\":\"m\",\"messages\":[],\"tools\":[{\"type\":\"function\",\"function\":{}}]}",
            "{\"model\":\"m\",\"messages\":[],\"response_format\":{\"type\":\"json_schema\"}}",
            "{\"model\":\"m\",\"messages\":[],\"response_format\":{\"type\":\"yaml\"}}"})
    void refusesWhatIsNotAChatRequest(String body) {
        assertThat(convert(body)).isEmpty();
    }
}
