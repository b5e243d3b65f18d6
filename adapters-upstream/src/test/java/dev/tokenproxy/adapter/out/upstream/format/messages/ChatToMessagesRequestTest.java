package dev.tokenproxy.adapter.out.upstream.format.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Chat Completions request bodies as the Messages request bodies an Anthropic upstream takes. */
class ChatToMessagesRequestTest {

    private static JsonNode convert(String chat) {
        byte[] body = ChatToMessagesRequest.convert(chat.getBytes(StandardCharsets.UTF_8), "claude-real")
                .orElseThrow();
        return MessagesEventScript.tree(new String(body, StandardCharsets.UTF_8));
    }

    @Test
    void systemAndDeveloperMessagesBecomeTheSystemAndTheModelIsTheUpstreams() {
        JsonNode request = convert("""
                {"model":"alias","messages":[{"role":"system","content":"Be brief."},
                 {"role":"developer","content":[{"type":"text","text":"Use French."}]},
                 {"role":"user","content":"Hello"}]}""");

        assertThat(request.path("model").asText()).isEqualTo("claude-real");
        assertThat(request.path("system").asText()).isEqualTo("Be brief.\n\nUse French.");
        assertThat(request.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(request.at("/messages/0/content/0").toString()).isEqualTo("{\"type\":\"text\",\"text\":\"Hello\"}");
        assertThat(request.path("messages")).hasSize(1);
    }

    @Test
    void maxTokensIsRequiredByMessagesSoADefaultFillsItAndTheNewerChatNameWins() {
        assertThat(convert("{\"messages\":[]}").path("max_tokens").asInt())
                .isEqualTo(ChatToMessagesRequest.DEFAULT_MAX_TOKENS);
        assertThat(convert("{\"messages\":[],\"max_tokens\":100}").path("max_tokens").asInt()).isEqualTo(100);
        assertThat(convert("{\"messages\":[],\"max_tokens\":100,\"max_completion_tokens\":200}")
                .path("max_tokens").asInt()).isEqualTo(200);
    }

    @Test
    void samplingStopAndStreamCarryOverWithTemperatureInMessagesRange() {
        JsonNode request = convert("""
                {"messages":[],"temperature":1.7,"top_p":0.5,"stop":"END","stream":true,
                 "stream_options":{"include_usage":true},"user":"u-1","n":1,"seed":3}""");

        assertThat(request.path("temperature").asDouble()).isEqualTo(1.0);
        assertThat(request.has("top_p")).as("newer models refuse both").isFalse();
        assertThat(request.path("stop_sequences").toString()).isEqualTo("[\"END\"]");
        assertThat(request.path("stream").asBoolean()).isTrue();
        assertThat(request.at("/metadata/user_id").asText()).isEqualTo("u-1");
        assertThat(request.has("stream_options")).isFalse();
        assertThat(request.has("seed")).isFalse();
        assertThat(convert("{\"messages\":[],\"top_p\":0.5,\"stop\":[\"a\",\"b\"]}").path("top_p").asDouble())
                .isEqualTo(0.5);
    }

    @Test
    void imagesBecomeBase64OrUrlSources() {
        JsonNode request = convert("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"What is it?"},
                 {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
                 {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]}""");

        JsonNode content = request.at("/messages/0/content");
        assertThat(content.at("/1/source").toString())
                .isEqualTo("{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}");
        assertThat(content.at("/2/source").toString())
                .isEqualTo("{\"type\":\"url\",\"url\":\"https://example.com/cat.jpg\"}");
    }

    @Test
    void toolCallsBecomeToolUseAndToolMessagesToolResultsInOneUserTurn() {
        JsonNode request = convert("""
                {"messages":[{"role":"user","content":"Weather in Rome and Paris?"},
                 {"role":"assistant","content":"Looking.","tool_calls":[
                   {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}},
                   {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":""}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"sunny"},
                 {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"rainy"}]},
                 {"role":"user","content":"Thanks"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
                   "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
                  {"type":"function","function":{"name":"now"}}],
                 "tool_choice":"required","parallel_tool_calls":false}""");

        JsonNode messages = request.path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.at("/1/content/0/text").asText()).isEqualTo("Looking.");
        assertThat(messages.at("/1/content/1").toString()).isEqualTo(
                "{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Rome\"}}");
        assertThat(messages.at("/1/content/2/input").toString()).isEqualTo("{}");
        assertThat(messages.at("/2/role").asText()).isEqualTo("user");
        assertThat(messages.at("/2/content/0").toString())
                .isEqualTo("{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":\"sunny\"}");
        assertThat(messages.at("/2/content/1/content").asText()).isEqualTo("rainy");
        assertThat(messages.at("/2/content/2/text").asText()).isEqualTo("Thanks");
        assertThat(request.at("/tools/0").toString()).isEqualTo("{\"name\":\"get_weather\",\"description\":"
                + "\"Weather\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}");
        assertThat(request.at("/tools/1/input_schema").toString()).isEqualTo("{\"type\":\"object\"}");
        assertThat(request.path("tool_choice").toString())
                .isEqualTo("{\"type\":\"any\",\"disable_parallel_tool_use\":true}");
    }

    @Test
    void aNamedFunctionChoiceIsAToolChoice() {
        JsonNode request = convert("""
                {"messages":[],"tools":[{"type":"function","function":{"name":"f"}}],
                 "tool_choice":{"type":"function","function":{"name":"f"}}}""");

        assertThat(request.path("tool_choice").toString()).isEqualTo("{\"type\":\"tool\",\"name\":\"f\"}");
    }

    @Test
    void aBodyOfAnotherShapeIsNotConvertible() {
        assertThat(ChatToMessagesRequest.convert("[]".getBytes(StandardCharsets.UTF_8), "m")).isEmpty();
        assertThat(ChatToMessagesRequest.convert("{\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]}"
                .getBytes(StandardCharsets.UTF_8), "m")).isEmpty();
        assertThat(ChatToMessagesRequest.convert(("{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":"
                + "\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]}")
                .getBytes(StandardCharsets.UTF_8), "m")).isEmpty();
    }
}
