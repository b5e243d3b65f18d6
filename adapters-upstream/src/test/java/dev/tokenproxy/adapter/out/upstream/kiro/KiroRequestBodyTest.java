package dev.tokenproxy.adapter.out.upstream.kiro;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KiroRequestBodyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARN = "arn:aws:codewhisperer:us-east-1:123456789012:profile/ABC";

    /** Shaped like what Claude Code sends (protocols.md §7): system blocks with cache_control, tools, thinking. */
    private static final String CLAUDE_CODE_TURN = """
            {"model":"claude-sonnet-4-5-20250929","max_tokens":32000,"stream":true,
             "system":[{"type":"text","text":"You are Claude Code, Anthropic's official CLI for Claude."},
                       {"type":"text","text":"Use the tools.","cache_control":{"type":"ephemeral"}}],
             "thinking":{"type":"enabled","budget_tokens":31999},
             "context_management":{"edits":[]},
             "metadata":{"user_id":"u"},
             "tools":[{"name":"Bash","description":"Runs a command","input_schema":{"type":"object",
                        "properties":{"command":{"type":"string"}},"required":["command"]}},
                      {"type":"web_search_20250305","name":"web_search","max_uses":5}],
             "messages":[
               {"role":"user","content":[{"type":"text","text":"<system-reminder>ctx</system-reminder>"},
                                         {"type":"text","text":"List the files","cache_control":{"type":"ephemeral"}}]},
               {"role":"assistant","content":[{"type":"thinking","thinking":"I should run ls","signature":"sig"},
                                              {"type":"text","text":"Running ls."},
                                              {"type":"tool_use","id":"toolu_01","name":"Bash","input":{"command":"ls"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01",
                                          "content":[{"type":"text","text":"a.txt\\nb.txt"}]}]}
             ]}
            """;

    @Test
    void buildsTheKiroConversationFromAClaudeCodeTurn() throws Exception {
        JsonNode body = build(CLAUDE_CODE_TURN, Optional.of(ARN)).body();

        assertThat(body.path("profileArn").asText()).isEqualTo(ARN);
        JsonNode state = body.path("conversationState");
        assertThat(state.path("chatTriggerType").asText()).isEqualTo("MANUAL");
        assertThat(state.path("conversationId").asText()).isEqualTo("conv-1");

        JsonNode history = state.path("history");
        assertThat(history).hasSize(2);
        JsonNode firstUser = history.get(0).path("userInputMessage");
        assertThat(firstUser.path("content").asText()).isEqualTo("You are Claude Code, Anthropic's official CLI for "
                + "Claude.\n\nUse the tools.\n\n<system-reminder>ctx</system-reminder>\n\nList the files");
        assertThat(firstUser.path("modelId").asText()).isEqualTo("claude-sonnet-4.5");
        assertThat(firstUser.path("origin").asText()).isEqualTo("AI_EDITOR");
        JsonNode assistant = history.get(1).path("assistantResponseMessage");
        assertThat(assistant.path("content").asText()).isEqualTo("Running ls.");
        assertThat(assistant.path("toolUses").get(0).toString())
                .isEqualTo("{\"toolUseId\":\"toolu_01\",\"name\":\"Bash\",\"input\":{\"command\":\"ls\"}}");

        JsonNode current = state.path("currentMessage").path("userInputMessage");
        assertThat(current.path("content").asText()).isEqualTo(
                "<thinking_mode>enabled</thinking_mode><max_thinking_length>31999</max_thinking_length>\n\n"
                        + "Tool results provided.");
        JsonNode context = current.path("userInputMessageContext");
        assertThat(context.path("toolResults").get(0).toString()).isEqualTo(
                "{\"toolUseId\":\"toolu_01\",\"status\":\"success\",\"content\":[{\"text\":\"a.txt\\nb.txt\"}]}");
        assertThat(context.path("tools")).hasSize(1);
        JsonNode bash = context.path("tools").get(0).path("toolSpecification");
        assertThat(bash.path("name").asText()).isEqualTo("Bash");
        assertThat(bash.path("inputSchema").path("json").path("required").get(0).asText()).isEqualTo("command");
    }

    @Test
    void aSingleUserStringBecomesTheCurrentMessageWithoutHistoryOrProfile() throws Exception {
        var request = build("""
                {"model":"claude-opus-4-5","max_tokens":10,"system":"Be brief.",
                 "messages":[{"role":"user","content":"Hi"}]}""", Optional.empty());

        JsonNode state = request.body().path("conversationState");
        assertThat(state.has("history")).isFalse();
        assertThat(request.body().has("profileArn")).isFalse();
        JsonNode current = state.path("currentMessage").path("userInputMessage");
        assertThat(current.path("content").asText()).isEqualTo("Be brief.\n\nHi");
        assertThat(current.path("modelId").asText()).isEqualTo("claude-opus-4.5");
        assertThat(current.has("userInputMessageContext")).isFalse();
    }

    @Test
    void mergesNeighboursOfOneRoleAndEndsWithTheUser() throws Exception {
        var request = build("""
                {"model":"claude-sonnet-4-5","max_tokens":10,"messages":[
                  {"role":"assistant","content":"(prefilled)"},
                  {"role":"user","content":"one"},{"role":"user","content":"two"},
                  {"role":"assistant","content":"three"},{"role":"assistant","content":"four"}]}""", Optional.empty());

        JsonNode state = request.body().path("conversationState");
        assertThat(state.path("history")).extracting(JsonNode::toString).containsExactly(
                "{\"userInputMessage\":{\"content\":\"Continue\",\"modelId\":\"claude-sonnet-4.5\",\"origin\":\"AI_EDITOR\"}}",
                "{\"assistantResponseMessage\":{\"content\":\"(prefilled)\"}}",
                "{\"userInputMessage\":{\"content\":\"one\\n\\ntwo\",\"modelId\":\"claude-sonnet-4.5\",\"origin\":\"AI_EDITOR\"}}",
                "{\"assistantResponseMessage\":{\"content\":\"three\\n\\nfour\"}}");
        assertThat(state.path("currentMessage").path("userInputMessage").path("content").asText())
                .isEqualTo("Continue");
    }

    @Test
    void carriesImagesAndFailedToolResults() throws Exception {
        var request = build("""
                {"model":"claude-sonnet-4-5","max_tokens":10,"messages":[
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,"content":"boom"},
                    {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AAAA"}},
                    {"type":"text","text":"What is this?"}]}]}""", Optional.empty());

        JsonNode current = request.body().path("conversationState").path("currentMessage").path("userInputMessage");
        assertThat(current.path("content").asText()).isEqualTo("What is this?");
        assertThat(current.path("images").toString()).isEqualTo("[{\"format\":\"jpeg\",\"source\":{\"bytes\":\"AAAA\"}}]");
        assertThat(current.path("userInputMessageContext").path("toolResults").get(0).path("status").asText())
                .isEqualTo("error");
    }

    @Test
    void shortensToolNamesKiroWouldRefuseAndRemembersTheClientsName() throws Exception {
        String longName = "mcp__a_very_long_server_name_for_testing__and_an_even_longer_tool_name_here";
        var request = build("""
                {"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"go"}],
                 "tools":[{"name":"%s","description":"%s","input_schema":{"type":"object"}}]}"""
                .formatted(longName, "d".repeat(KiroRequestBody.MAX_TOOL_DESCRIPTION + 5)), Optional.empty());

        JsonNode spec = request.body().at("/conversationState/currentMessage/userInputMessage/userInputMessageContext"
                + "/tools/0/toolSpecification");
        String sent = spec.path("name").asText();
        assertThat(sent).hasSize(KiroRequestBody.MAX_TOOL_NAME).startsWith("mcp__a_very_long");
        assertThat(spec.path("description").asText()).hasSize(KiroRequestBody.MAX_TOOL_DESCRIPTION);
        assertThat(request.clientToolName(sent)).isEqualTo(longName);
        assertThat(request.clientToolName("Bash")).isEqualTo("Bash");
    }

    private static KiroRequestBody build(String json, Optional<String> profileArn) throws Exception {
        return KiroRequestBody.from(JSON.readTree(json), "AI_EDITOR", profileArn, "conv-1");
    }
}
