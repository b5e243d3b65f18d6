package dev.tokenproxy.adapter.out.upstream.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesInput;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A Responses request body as the Codex backend accepts it (protocols §3, body rules), and the conversation id that
 * goes with it: the backend answers {@code 400 {"detail":…}} to a body that streams not, stores, lacks instructions or
 * names a parameter it does not support, so every body is made to follow the rules whatever the client sent.
 *
 * @param body      the JSON to send
 * @param sessionId the {@code session_id} header: the body's {@code prompt_cache_key}, which the backend's prompt
 *                  cache is keyed by
 */
record CodexRequestBody(byte[] body, String sessionId) {

    /**
     * Parameters the backend rejects ("Unsupported parameter: …", observed) or that the proxies of protocols §3 strip
     * because it does not take them; {@code service_tier} is handled apart (only "priority" is kept).
     */
    static final List<String> UNSUPPORTED = List.of("max_output_tokens", "max_completion_tokens", "temperature",
            "top_p", "previous_response_id", "prompt_cache_retention", "safety_identifier", "truncation", "user",
            "prompt_cache_options", "stream_options", "context_management");

    /** Without it a stateless ({@code store:false}) conversation cannot hand its reasoning back on the next turn. */
    static final String ENCRYPTED_REASONING = "reasoning.encrypted_content";

    /**
     * @param responsesBody a Responses request body (the client's, or a Chat request converted)
     * @param upstreamModel the model the backend knows
     * @return the body for the backend, or empty when {@code responsesBody} is not a JSON object
     */
    static Optional<CodexRequestBody> of(byte[] responsesBody, String upstreamModel) {
        return ChatJson.object(responsesBody).map(request -> follow(request, upstreamModel));
    }

    /**
     * A converted Chat request: its system text goes to the conversation as a developer message and
     * {@code instructions} stays empty, as both proxies of protocols §3 send it ("Chat → Codex"); the backend's
     * acceptance of custom instructions is unverified.
     */
    static Optional<CodexRequestBody> ofConvertedChat(byte[] responsesBody, String upstreamModel) {
        return ChatJson.object(responsesBody).map(request -> {
            String instructions = ChatJson.scalar(request, "instructions");
            request.remove("instructions");
            ArrayNode input = ResponsesInput.asItems(request.get("input"));
            if (instructions != null && !instructions.isEmpty()) {
                ObjectNode developer = input.insertObject(0).put("type", "message").put("role", "developer");
                developer.putArray("content").addObject().put("type", "input_text").put("text", instructions);
            }
            request.set("input", input);
            return follow(request, upstreamModel);
        });
    }

    private static CodexRequestBody follow(ObjectNode request, String upstreamModel) {
        request.put("model", upstreamModel);
        // The backend only streams and never stores; a non-stream client gets the stream aggregated.
        request.put("stream", true);
        request.put("store", false);
        if (!request.path("instructions").isTextual()) {
            request.put("instructions", "");
        }
        request.set("input", developerForSystem(ResponsesInput.asItems(request.get("input"))));
        UNSUPPORTED.forEach(request::remove);
        if (!"priority".equals(ChatJson.scalar(request, "service_tier"))) {
            request.remove("service_tier");
        }
        includeEncryptedReasoning(request);
        String sessionId = ChatJson.scalar(request, "prompt_cache_key");
        if (sessionId == null || sessionId.isBlank()) {
            sessionId = UUID.randomUUID().toString();
            request.put("prompt_cache_key", sessionId);
        }
        return new CodexRequestBody(ChatJson.bytes(request), sessionId);
    }

    /** The backend knows no {@code system} role in input; {@code developer} is its place for the same text. */
    private static ArrayNode developerForSystem(ArrayNode items) {
        for (JsonNode item : items) {
            if (item instanceof ObjectNode message && "system".equals(ChatJson.scalar(message, "role"))
                    && (!message.has("type") || "message".equals(ChatJson.scalar(message, "type")))) {
                message.put("role", "developer");
            }
        }
        return items;
    }

    private static void includeEncryptedReasoning(ObjectNode request) {
        JsonNode include = request.get("include");
        ArrayNode list = include instanceof ArrayNode array ? array : request.putArray("include");
        for (JsonNode entry : list) {
            if (ENCRYPTED_REASONING.equals(entry.asText())) {
                return;
            }
        }
        list.add(ENCRYPTED_REASONING);
    }
}
