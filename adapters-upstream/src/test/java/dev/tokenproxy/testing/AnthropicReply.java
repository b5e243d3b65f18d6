package dev.tokenproxy.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link FakeAnthropicUpstream} does with one {@code POST /v1/messages}: a well-formed answer, a failure the
 * protocol expresses (protocols.md §5), or a broken stream. Immutable; one reply serves both {@code "stream": true}
 * and non-stream requests. A stream sends {@code message_start}, a {@code ping}, then per block
 * {@code content_block_start} (empty), its deltas (text one word per {@code text_delta}, thinking likewise then a
 * {@code signature_delta}, tool input in two {@code input_json_delta} fragments after an empty one) and
 * {@code content_block_stop}, then {@code message_delta} with the stop reason and usage, and {@code message_stop}.
 */
public final class AnthropicReply {

    /** Fixed so that tests can assert on usage; output tokens are one per word of text. */
    static final int INPUT_TOKENS = 10;

    @FunctionalInterface
    private interface Behaviour {
        void play(ResponseWriter out, MessagesFrames frames) throws IOException;
    }

    private final Behaviour behaviour;
    private final Map<String, String> headers;

    private AnthropicReply(Behaviour behaviour, Map<String, String> headers) {
        this.behaviour = behaviour;
        this.headers = Map.copyOf(headers);
    }

    private AnthropicReply(Behaviour behaviour) {
        this(behaviour, Map.of());
    }

    // --- answers ---------------------------------------------------------------------------------------------------

    /** One text block, {@code end_turn}. */
    public static AnthropicReply ok(String text) {
        return answer("end_turn", MessagesFrames.text(text));
    }

    /** One text block cut at the token limit: {@code max_tokens}. */
    public static AnthropicReply maxTokens(String text) {
        return answer("max_tokens", MessagesFrames.text(text));
    }

    /** A {@code tool_use} block calling {@code name} with {@code inputJson}, {@code stop_reason: tool_use}. */
    public static AnthropicReply toolUse(String id, String name, String inputJson) {
        return answer("tool_use", MessagesFrames.toolUse(id, name, inputJson));
    }

    /** A thinking block (with a signature), then a text block. */
    public static AnthropicReply thinkingThenText(String thinking, String text) {
        return answer("end_turn", MessagesFrames.thinking(thinking, "sig_fake"), MessagesFrames.text(text));
    }

    /** 200 with no content blocks at all: an empty completion. Streamed: start, ping, message_delta, message_stop. */
    public static AnthropicReply noContent() {
        return answer("end_turn");
    }

    // --- failures the protocol expresses ---------------------------------------------------------------------------

    /** Any status with {@code {"type":"error","error":{"type","message"}}}. */
    public static AnthropicReply error(int status, String type, String message) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
        return new AnthropicReply((out, frames) -> out.sendJson(status, MessagesFrames.error(type, message)));
    }

    /** 529 {@code overloaded_error} "Overloaded", the body the API sends (protocols.md §5). */
    public static AnthropicReply overloaded() {
        return error(529, "overloaded_error", "Overloaded");
    }

    /** 429 {@code rate_limit_error} with {@code retry-after: seconds}. */
    public static AnthropicReply rateLimited(int retryAfterSeconds) {
        return error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit")
                .withHeader("retry-after", Integer.toString(retryAfterSeconds));
    }

    /** 401 {@code authentication_error}: the key is not valid. */
    public static AnthropicReply unauthorized() {
        return error(401, "authentication_error", "invalid x-api-key");
    }

    /** 400 {@code invalid_request_error} with {@code message}, e.g. "prompt is too long: 210000 tokens > 200000". */
    public static AnthropicReply invalidRequest(String message) {
        return error(400, "invalid_request_error", message);
    }

    /**
     * Streamed: {@code message_start}, {@code ping}, then {@code event: error} {@code overloaded_error} and the proper
     * end of the body: a failure before any output. Not streamed: 529.
     */
    public static AnthropicReply overloadedEvent() {
        return new AnthropicReply((out, frames) -> {
            if (!frames.stream()) {
                out.sendJson(529, MessagesFrames.error("overloaded_error", "Overloaded"));
                return;
            }
            var events = frames.eventStream(out);
            events.start(INPUT_TOKENS);
            events.ping();
            events.error("overloaded_error", "Overloaded");
            events.end();
        });
    }

    /**
     * Streamed: a text block's first {@code deltas} words, then {@code event: error} {@code overloaded_error} and the
     * proper end of the body: a failure after output. Not streamed: 529.
     */
    public static AnthropicReply overloadedEventAfter(int deltas, String text) {
        return partialThen(deltas, text, (out, events) -> {
            events.error("overloaded_error", "Overloaded");
            events.end();
        });
    }

    /** Streamed: a text block's first {@code deltas} words, then a TCP reset. Not streamed: half a body, then reset. */
    public static AnthropicReply streamCutAfter(int deltas, String text) {
        return partialThen(deltas, text, (out, events) -> out.reset());
    }

    /** Reads the request, then resets the connection before sending a byte. */
    public static AnthropicReply resetBeforeHeaders() {
        return new AnthropicReply((out, frames) -> out.reset());
    }

    // --- modifiers -------------------------------------------------------------------------------------------------

    /** This reply with one more response header (replacing one of the same name). */
    public AnthropicReply withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new AnthropicReply(behaviour, more);
    }

    void play(ResponseWriter out, MessagesFrames frames) throws IOException {
        out.addHeaders(headers);
        behaviour.play(out, frames);
    }

    // --- the shapes ------------------------------------------------------------------------------------------------

    private static AnthropicReply answer(String stopReason, ObjectNode... blocks) {
        return new AnthropicReply((out, frames) -> {
            int outputTokens = outputTokens(blocks);
            if (!frames.stream()) {
                ArrayNode content = MessagesFrames.array(blocks);
                out.sendJson(200, MessagesFrames.write(frames.message(content, stopReason, INPUT_TOKENS,
                        outputTokens)));
                return;
            }
            var events = frames.eventStream(out);
            events.start(INPUT_TOKENS);
            events.ping();
            for (int index = 0; index < blocks.length; index++) {
                streamBlock(events, index, blocks[index]);
            }
            events.finish(stopReason, outputTokens);
            events.end();
        });
    }

    private static void streamBlock(MessagesFrames.EventStream events, int index, ObjectNode block)
            throws IOException {
        switch (block.path("type").asText()) {
            case "text" -> {
                events.blockStart(index, MessagesFrames.text(""));
                for (String piece : Words.pieces(block.path("text").asText())) {
                    events.delta(index, MessagesFrames.object().put("type", "text_delta").put("text", piece));
                }
            }
            case "thinking" -> {
                events.blockStart(index, MessagesFrames.thinking("", ""));
                for (String piece : Words.pieces(block.path("thinking").asText())) {
                    events.delta(index, MessagesFrames.object().put("type", "thinking_delta").put("thinking", piece));
                }
                events.delta(index, MessagesFrames.object().put("type", "signature_delta")
                        .put("signature", block.path("signature").asText()));
            }
            case "tool_use" -> {
                ObjectNode start = block.deepCopy();
                start.putObject("input");
                events.blockStart(index, start);
                String input = MessagesFrames.write(block.path("input"));
                int half = input.length() / 2;
                for (String fragment : List.of("", input.substring(0, half), input.substring(half))) {
                    events.delta(index, MessagesFrames.object().put("type", "input_json_delta")
                            .put("partial_json", fragment));
                }
            }
            default -> throw new IllegalArgumentException("no stream shape for block " + block);
        }
        events.blockStop(index);
    }

    private static int outputTokens(ObjectNode... blocks) {
        int count = 0;
        for (ObjectNode block : blocks) {
            count += Words.pieces(block.path("text").asText("") + " " + block.path("thinking").asText("")).size();
            count += block.has("input") ? 1 : 0;
        }
        return Math.max(count, 1);
    }

    @FunctionalInterface
    private interface Ending {
        void end(ResponseWriter out, MessagesFrames.EventStream events) throws IOException;
    }

    private static AnthropicReply partialThen(int deltas, String text, Ending ending) {
        Objects.requireNonNull(text, "text");
        return new AnthropicReply((out, frames) -> {
            if (!frames.stream()) {
                String body = MessagesFrames.write(frames.message(MessagesFrames.array(MessagesFrames.text(text)),
                        "end_turn", INPUT_TOKENS, 1));
                out.sendJsonPrefix(200, body, body.length() / 2);
                out.reset();
                return;
            }
            var events = frames.eventStream(out);
            events.start(INPUT_TOKENS);
            events.ping();
            events.blockStart(0, MessagesFrames.text(""));
            List<String> pieces = Words.pieces(text);
            for (String piece : pieces.subList(0, Math.min(deltas, pieces.size()))) {
                events.delta(0, MessagesFrames.object().put("type", "text_delta").put("text", piece));
            }
            ending.end(out, events);
        });
    }
}
