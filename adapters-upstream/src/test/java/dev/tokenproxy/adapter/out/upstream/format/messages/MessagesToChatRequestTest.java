package dev.tokenproxy.adapter.out.upstream.format.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Anthropic Messages request bodies (Claude Code's shape among them) as Chat Completions request bodies. */
class MessagesToChatRequestTest {

    private static JsonNode convert(String messages) {
        byte[] body = MessagesToChatRequest.convert(messages.getBytes(StandardCharsets.UTF_8), "gpt-real")
                .orElseThrow();
        return MessagesEventScript.tree(new String(body, StandardCharsets.UTF_8));
    }

    @Test
    void systemBlocksWithCacheControlBecomeOneSystemMessageAndLimitsCarryOver() {
        JsonNode request = convert("""
                {"model":"claude-alias","max_tokens":1024,"stream":true,"temperature":0.2,"top_k":5,
                 "stop_sequences":["END"],"metadata":{"user_id":"u-1"},"thinking":{"type":"enabled","budget_tokens":1},
                 "system":[{"type":"text","text":"You are Claude Code."},
                           {"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],
                 "messages":[{"role":"user","content":"Hello"}]}""");

        assertThat(request.path("model").asText()).isEqualTo("gpt-real");
        assertThat(request.at("/messages/0").toString())
                .isEqualTo("{\"role\":\"system\",\"content\":\"You are Claude Code.\\n\\nBe brief.\"}");
        assertThat(request.at("/messages/1").toString()).isEqualTo("{\"role\":\"user\",\"content\":\"Hello\"}");
        assertThat(request.path("max_completion_tokens").asInt()).isEqualTo(1024);
        assertThat(request.path("stop").toString()).isEqualTo("[\"END\"]");
        assertThat(request.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(request.path("user").asText()).isEqualTo("u-1");
        assertThat(request.path("stream").asBoolean()).isTrue();
        assertThat(request.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(request.has("top_k")).isFalse();
        assertThat(request.has("thinking")).isFalse();
    }

    @Test
    void toolUseBecomesToolCallsAndToolResultsBecomeToolMessagesBeforeTheRestOfTheTurn() {
        JsonNode request = convert("""
                {"model":"m","max_tokens":10,"messages":[
                 {"role":"user","content":[{"type":"text","text":"Weather?"},
                   {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}}]},
                 {"role":"assistant","content":[{"type":"thinking","thinking":"Hm","signature":"s"},
                   {"type":"text","text":"Looking."},
                   {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Rome"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1",
                   "content":[{"type":"text","text":"sunny"}]},
                   {"type":"tool_result","tool_use_id":"toolu_2","content":"no such city","is_error":true},
                   {"type":"text","text":"And tomorrow?"}]}],
                 "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object"}},
                          {"type":"web_search_20250305","name":"web_search"}],
                 "tool_choice":{"type":"any","disable_parallel_tool_use":true}}""");

        JsonNode messages = request.path("messages");
        assertThat(messages.at("/0/content/1").toString())
                .isEqualTo("{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBO\"}}");
        assertThat(messages.at("/1/content").asText()).isEqualTo("Looking.");
        assertThat(messages.at("/1/tool_calls/0").toString()).isEqualTo("{\"id\":\"toolu_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}");
        assertThat(messages.at("/2").toString())
                .isEqualTo("{\"role\":\"tool\",\"tool_call_id\":\"toolu_1\",\"content\":\"sunny\"}");
        assertThat(messages.at("/3/content").asText()).isEqualTo("Error: no such city");
        assertThat(messages.at("/4").toString()).isEqualTo("{\"role\":\"user\",\"content\":\"And tomorrow?\"}");
        assertThat(request.path("tools")).hasSize(1);
        assertThat(request.at("/tools/0").toString()).isEqualTo("{\"type\":\"function\",\"function\":{\"name\":"
                + "\"get_weather\",\"description\":\"Weather\",\"parameters\":{\"type\":\"object\"}}}");
        assertThat(request.path("tool_choice").asText()).isEqualTo("required");
        assertThat(request.path("parallel_tool_calls").asBoolean(true)).isFalse();
    }

    @Test
    void aNamedToolChoiceIsANamedFunction() {
        JsonNode request = convert("""
                {"max_tokens":1,"messages":[],"tools":[{"name":"f","input_schema":{"type":"object"}}],
                 "tool_choice":{"type":"tool","name":"f"}}""");

        assertThat(request.path("tool_choice").toString())
                .isEqualTo("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}");
    }

    @Test
    void aBodyOfAnotherShapeIsNotConvertible() {
        assertThat(MessagesToChatRequest.convert("[]".getBytes(StandardCharsets.UTF_8), "m")).isEmpty();
        assertThat(MessagesToChatRequest.convert("{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}"
                .getBytes(StandardCharsets.UTF_8), "m")).isEmpty();
    }
}
