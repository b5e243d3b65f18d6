package dev.tokenproxy.adapter.out.upstream.kiro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Kiro {@code generateAssistantResponse} body built from an Anthropic Messages request (protocols.md §4,
 * "Payload"): Kiro has no system field and no free-form turn list, so the system text is folded into the first user
 * turn, neighbouring turns of one role are merged, the history alternates user/assistant and ends before the current
 * user message, and tools travel with the current message only.
 *
 * @param body      the JSON body to send
 * @param toolNames the names Kiro was given → the client's names, for the tool names that had to be shortened
 */
public record KiroRequestBody(ObjectNode body, Map<String, String> toolNames) {

    /** Kiro refuses longer tool names (protocols.md §4). */
    static final int MAX_TOOL_NAME = 64;
    /** Kiro's limit on a tool description is about 10 KB (protocols.md §4); longer ones are cut. */
    static final int MAX_TOOL_DESCRIPTION = 10_000;
    static final String CONTINUE = "Continue";
    static final String TOOL_RESULTS_PROVIDED = "Tool results provided.";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    public KiroRequestBody {
        Objects.requireNonNull(body, "body");
        toolNames = Map.copyOf(toolNames);
    }

    /**
     * @param messagesRequest an Anthropic Messages request body
     * @param origin          the endpoint's payload origin ({@code AI_EDITOR} or {@code CLI})
     * @param profileArn      the account's {@code profile_arn}; the field is left out when unknown
     * @param conversationId  a fresh id per request (a UUID)
     */
    public static KiroRequestBody from(JsonNode messagesRequest, String origin, Optional<String> profileArn,
                                       String conversationId) {
        String modelId = KiroModelIds.kiroModelId(messagesRequest.path("model").asText("auto"));
        var toolNames = new HashMap<String, String>();
        List<Turn> turns = KiroTurns.of(messagesRequest.path("messages"), toolNames);
        // The conversation must end with the user's turn: Kiro answers the current message.
        if (turns.isEmpty() || turns.getLast().isAssistant()) {
            turns.add(Turn.ofUser());
        }
        // Before the system text and the thinking tags go in: they are not what the user said in that turn.
        turns.stream().filter(turn -> !turn.isAssistant() && turn.text().isBlank())
                .forEach(turn -> turn.appendText(turn.toolResults().isEmpty() ? CONTINUE : TOOL_RESULTS_PROVIDED));
        foldSystemText(turns.getFirst(), systemText(messagesRequest.path("system")));
        Turn current = turns.getLast();
        current.prependText(thinkingPrefix(messagesRequest.path("thinking")));

        ArrayNode history = NODES.arrayNode();
        for (Turn turn : turns.subList(0, turns.size() - 1)) {
            history.add(turn.isAssistant() ? assistantMessage(turn) : NODES.objectNode()
                    .set("userInputMessage", userMessage(turn, modelId, origin, NODES.arrayNode())));
        }
        ObjectNode state = NODES.objectNode().put("chatTriggerType", "MANUAL").put("conversationId", conversationId);
        state.set("currentMessage", NODES.objectNode().set("userInputMessage",
                userMessage(current, modelId, origin, tools(messagesRequest.path("tools"), toolNames))));
        if (!history.isEmpty()) {
            state.set("history", history);
        }
        ObjectNode body = NODES.objectNode();
        body.set("conversationState", state);
        profileArn.filter(arn -> !arn.isBlank()).ifPresent(arn -> body.put("profileArn", arn));
        return new KiroRequestBody(body, invert(toolNames));
    }

    public byte[] json() {
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The client's name for a tool name that Kiro sends back. */
    public String clientToolName(String kiroName) {
        return toolNames.getOrDefault(kiroName, kiroName);
    }

    private static ObjectNode userMessage(Turn turn, String modelId, String origin, ArrayNode tools) {
        ObjectNode message = NODES.objectNode().put("content", turn.text()).put("modelId", modelId).put("origin", origin);
        if (!turn.images().isEmpty()) {
            message.set("images", NODES.arrayNode().addAll(turn.images()));
        }
        ObjectNode context = NODES.objectNode();
        if (!tools.isEmpty()) {
            context.set("tools", tools);
        }
        if (!turn.toolResults().isEmpty()) {
            context.set("toolResults", NODES.arrayNode().addAll(turn.toolResults()));
        }
        if (!context.isEmpty()) {
            message.set("userInputMessageContext", context);
        }
        return message;
    }

    private static ObjectNode assistantMessage(Turn turn) {
        // A turn that only called tools has no text; public Kiro proxies never send an empty assistant content
        // (whether Kiro refuses one is unverified), so it gets a neutral placeholder.
        ObjectNode message = NODES.objectNode().put("content", turn.text().isBlank() ? "..." : turn.text());
        if (!turn.toolUses().isEmpty()) {
            message.set("toolUses", NODES.arrayNode().addAll(turn.toolUses()));
        }
        return NODES.objectNode().set("assistantResponseMessage", message);
    }

    private static ArrayNode tools(JsonNode tools, Map<String, String> toolNames) {
        ArrayNode specs = NODES.arrayNode();
        for (JsonNode tool : tools) {
            // Server tools (web_search_…, bash_…) have a type and no schema: Kiro cannot run them.
            if (!tool.has("input_schema")) {
                continue;
            }
            String description = tool.path("description").asText("");
            ObjectNode spec = NODES.objectNode()
                    .put("name", kiroToolName(tool.path("name").asText(), toolNames))
                    .put("description", description.length() > MAX_TOOL_DESCRIPTION
                            ? description.substring(0, MAX_TOOL_DESCRIPTION) : description);
            spec.set("inputSchema", NODES.objectNode().set("json", tool.get("input_schema")));
            specs.add(NODES.objectNode().set("toolSpecification", spec));
        }
        return specs;
    }

    /**
     * The client's tool name, or for a name Kiro would refuse, a stable shorter one (a prefix and a hash, so two long
     * names stay apart); {@code toolNames} remembers it so that calls can be given back under the client's name.
     */
    static String kiroToolName(String name, Map<String, String> toolNames) {
        if (name.length() <= MAX_TOOL_NAME) {
            return name;
        }
        return toolNames.computeIfAbsent(name, tooLong -> tooLong.substring(0, MAX_TOOL_NAME - 9) + "_" + hash8(tooLong));
    }

    private static String hash8(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String systemText(JsonNode system) {
        if (system.isTextual()) {
            return system.textValue();
        }
        var parts = new ArrayList<String>();
        for (JsonNode block : system) {
            if (block.path("text").isTextual() && !block.path("text").textValue().isBlank()) {
                parts.add(block.path("text").textValue());
            }
        }
        return String.join("\n\n", parts);
    }

    private static void foldSystemText(Turn firstUser, String system) {
        if (!system.isBlank()) {
            firstUser.prependText(system);
        }
    }

    /** protocols.md §4: Kiro takes thinking as tags in the prompt, with the client's budget as the length. */
    private static String thinkingPrefix(JsonNode thinking) {
        if (!"enabled".equals(thinking.path("type").asText())) {
            return "";
        }
        long budget = thinking.path("budget_tokens").asLong(0);
        return "<thinking_mode>enabled</thinking_mode>"
                + (budget > 0 ? "<max_thinking_length>" + budget + "</max_thinking_length>" : "");
    }

    private static Map<String, String> invert(Map<String, String> clientToKiro) {
        var kiroToClient = new HashMap<String, String>();
        clientToKiro.forEach((client, kiro) -> kiroToClient.put(kiro, client));
        return kiroToClient;
    }
}
