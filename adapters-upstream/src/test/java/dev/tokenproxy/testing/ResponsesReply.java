package dev.tokenproxy.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What {@link FakeResponsesUpstream} does with one {@code POST /v1/responses}: a well-formed answer, a failure the
 * protocol can express (protocols.md §2), or a broken stream. Immutable; the factories shape the answer to the
 * request, so one reply serves both {@code "stream": true} and non-stream requests. Streams send every event with its
 * {@code event:} line and a {@code sequence_number} counting from 0, one event per flushed chunk, and text one word
 * per {@code response.output_text.delta}.
 */
public final class ResponsesReply {

    /**
     * Token counts of a completed response ({@code usage}); {@code total_tokens} is input plus output.
     *
     * @param cachedTokens    {@code input_tokens_details.cached_tokens}, part of {@code inputTokens}
     * @param reasoningTokens {@code output_tokens_details.reasoning_tokens}, part of {@code outputTokens}
     */
    public record Usage(int inputTokens, int cachedTokens, int outputTokens, int reasoningTokens) {
        public Usage {
            if (inputTokens < 0 || cachedTokens < 0 || outputTokens < 0 || reasoningTokens < 0) {
                throw new IllegalArgumentException("token counts cannot be negative");
            }
            if (cachedTokens > inputTokens || reasoningTokens > outputTokens) {
                throw new IllegalArgumentException("cached and reasoning tokens are parts of input and output tokens");
            }
        }
    }

    /** Fixed so that tests can assert on totals (the numbers of protocols.md §2's example); real upstreams count. */
    static final int INPUT_TOKENS = 12;
    static final int CACHED_TOKENS = 8;

    /** The steps of a reply, played on the connection of the request it answers. */
    @FunctionalInterface
    private interface Behaviour {
        void play(ResponseWriter out, ResponsesFrames frames, Usage usage) throws IOException;
    }

    private final Behaviour behaviour;
    private final Map<String, String> headers;
    /** Null: derived from the text, {@link #INPUT_TOKENS} in ({@link #CACHED_TOKENS} cached), one token per word out. */
    private final Usage usage;

    private ResponsesReply(Behaviour behaviour, Map<String, String> headers, Usage usage) {
        this.behaviour = behaviour;
        this.headers = Map.copyOf(headers);
        this.usage = usage;
    }

    private ResponsesReply(Behaviour behaviour) {
        this(behaviour, Map.of(), null);
    }

    // --- answers ---------------------------------------------------------------------------------------------------

    /**
     * 200 with one assistant message holding {@code text}, status {@code completed}. Not streamed: the response
     * object. Streamed: {@code response.created}, {@code response.in_progress}, {@code response.output_item.added},
     * {@code response.content_part.added}, one {@code response.output_text.delta} per word,
     * {@code response.output_text.done}, {@code response.content_part.done}, {@code response.output_item.done},
     * {@code response.completed} with usage.
     */
    public static ResponsesReply ok(String text) {
        return completedText(text, true);
    }

    /**
     * 200 whose answer is one {@code function_call} item; streamed: the item added, its arguments in two
     * {@code response.function_call_arguments.delta} events, {@code .done}, the item done, {@code response.completed}.
     */
    public static ResponsesReply functionCall(String callId, String name, String arguments) {
        return new ResponsesReply((out, frames, usage) -> {
            Usage counted = usageOf(usage, name);
            ObjectNode done = ResponsesFrames.object().put("id", "fc_" + callId).put("type", "function_call")
                    .put("status", "completed").put("call_id", callId).put("name", name).put("arguments", arguments);
            ObjectNode completed = frames.response("completed", ResponsesFrames.array(done), counted, null, null);
            if (!frames.stream()) {
                out.sendJson(200, ResponsesFrames.write(completed));
                return;
            }
            var events = frames.eventStream(out);
            streamStart(events, frames);
            events.send("response.output_item.added", ResponsesFrames.object().put("output_index", 0)
                    .set("item", done.deepCopy().put("status", "in_progress").put("arguments", "")));
            int half = arguments.length() / 2;
            for (String fragment : new String[] {arguments.substring(0, half), arguments.substring(half)}) {
                events.send("response.function_call_arguments.delta", ResponsesFrames.object()
                        .put("item_id", "fc_" + callId).put("output_index", 0).put("delta", fragment));
            }
            events.send("response.function_call_arguments.done", ResponsesFrames.object()
                    .put("item_id", "fc_" + callId).put("output_index", 0).put("arguments", arguments));
            events.send("response.output_item.done", ResponsesFrames.object().put("output_index", 0).set("item", done));
            events.send("response.completed", withResponse(completed));
            events.end();
        });
    }

    /**
     * As {@link #ok}, but the final {@code response.completed} carries an empty {@code output}: the items are only in
     * the {@code response.output_item.done} events, as the Codex backend may send them (protocols.md §3). Not
     * streamed: the response object with its output, as {@link #ok}.
     */
    public static ResponsesReply okWithOutputOnlyInItems(String text) {
        return completedText(text, false);
    }

    /**
     * 200 that completes with no output items at all and zero output tokens: an empty completion. Streamed:
     * {@code response.created}, {@code response.in_progress}, {@code response.completed}.
     */
    public static ResponsesReply emptyOutput() {
        return new ResponsesReply((out, frames, usage) -> {
            Usage counted = usage != null ? usage : new Usage(INPUT_TOKENS, CACHED_TOKENS, 0, 0);
            ObjectNode completed = frames.response("completed", null, counted, null, null);
            if (!frames.stream()) {
                out.sendJson(200, ResponsesFrames.write(completed));
                return;
            }
            var events = frames.eventStream(out);
            streamStart(events, frames);
            events.send("response.completed", withResponse(completed));
            events.end();
        });
    }

    /**
     * As {@link #ok} but the response ends {@code incomplete} for {@code reason} ({@code max_output_tokens} or
     * {@code content_filter}): the message item is {@code incomplete} and the terminal event is
     * {@code response.incomplete}.
     */
    public static ResponsesReply incomplete(String text, String reason) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(reason, "reason");
        return new ResponsesReply((out, frames, usage) -> {
            Usage counted = usageOf(usage, text);
            if (!frames.stream()) {
                out.sendJson(200, ResponsesFrames.write(finished(frames, "incomplete", text, counted, reason)));
                return;
            }
            var events = frames.eventStream(out);
            streamMessage(events, frames, text, "incomplete");
            events.send("response.incomplete", withResponse(finished(frames, "incomplete", text, counted, reason)));
            events.end();
        });
    }

    // --- failures the protocol expresses ---------------------------------------------------------------------------

    /**
     * A response that fails after HTTP 200 with {@code error {code, message}} and no output. Streamed:
     * {@code response.created}, {@code response.in_progress}, then {@code response.failed}, and the body ends
     * properly. Not streamed: 200 with the failed response object.
     */
    public static ResponsesReply failed(String code, String message) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        return failedWith(code, model -> message);
    }

    /**
     * {@link #failed} with {@code rate_limit_exceeded} and OpenAI's message, whose "Please try again in 11.5s" is the
     * only place the delay is given (protocols.md §3); {@code retryIn} is written in seconds, e.g. 11.5s or 2s.
     */
    public static ResponsesReply rateLimitExceeded(Duration retryIn) {
        String seconds = BigDecimal.valueOf(retryIn.toMillis(), 3).stripTrailingZeros().toPlainString();
        return failedWith("rate_limit_exceeded", model -> "Rate limit reached for " + model
                + " on tokens per min (TPM): Limit 30000, Used 30000, Requested 1200. Please try again in " + seconds
                + "s. Visit https://platform.openai.com/account/rate-limits to learn more.");
    }

    /** {@link #failed} with {@code context_length_exceeded}. */
    public static ResponsesReply contextLengthExceeded() {
        return failed("context_length_exceeded",
                "Your input exceeds the context window of this model. Please adjust your input and try again.");
    }

    /**
     * Streamed: {@code response.created}, {@code response.in_progress}, then a top-level {@code error} event
     * {@code {"type":"error","code","message","param":null}} and the proper end of the body, no terminal
     * {@code response.*} event. Not streamed: HTTP 500 with the OpenAI error body carrying {@code code}.
     */
    public static ResponsesReply errorEvent(String code, String message) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        return new ResponsesReply((out, frames, usage) -> {
            if (!frames.stream()) {
                out.sendJson(500, ResponsesFrames.httpError("server_error", code, message));
                return;
            }
            var events = frames.eventStream(out);
            streamStart(events, frames);
            ObjectNode error = ResponsesFrames.object().put("code", code).put("message", message).putNull("param");
            events.send("error", error);
            events.end();
        });
    }

    /**
     * Streamed: the events of {@link #ok} up to and including the first {@code deltas} text deltas, then a top-level
     * {@code error} event and the proper end of the body: a failure after output, which must never be replayed. Not
     * streamed: HTTP 500 with the OpenAI error body carrying {@code code}.
     */
    public static ResponsesReply errorEventAfter(int deltas, String text, String code, String message) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        return new ResponsesReply((out, frames, usage) -> {
            if (!frames.stream()) {
                out.sendJson(500, ResponsesFrames.httpError("server_error", code, message));
                return;
            }
            var events = frames.eventStream(out);
            streamUpToDeltas(events, frames, Words.pieces(text), deltas);
            events.send("error", ResponsesFrames.object().put("code", code).put("message", message).putNull("param"));
            events.end();
        });
    }

    /**
     * Streamed: the events of {@link #ok} up to and including the first {@code deltas} text deltas, then
     * {@code response.failed} with {@code error {code, message}} and the proper end of the body: a failure after
     * output. Not streamed: 200 with the failed response object.
     */
    public static ResponsesReply failedAfter(int deltas, String text, String code, String message) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        return new ResponsesReply((out, frames, usage) -> {
            ObjectNode failed = frames.response("failed", null, null, ResponsesFrames.responseError(code, message),
                    null);
            if (!frames.stream()) {
                out.sendJson(200, ResponsesFrames.write(failed));
                return;
            }
            var events = frames.eventStream(out);
            streamUpToDeltas(events, frames, Words.pieces(text), deltas);
            events.send("response.failed", withResponse(failed));
            events.end();
        });
    }

    /** An HTTP error status with the OpenAI error body {@code {"error":{"message","type","param":null,"code"}}}. */
    public static ResponsesReply error(int status, String type, String code, String message) {
        return status(status, ResponsesFrames.httpError(type, code, message));
    }

    /** Any status with a raw body, sent as {@code application/json} whatever it contains (e.g. {@code {"detail":…}}). */
    public static ResponsesReply status(int status, String body) {
        Objects.requireNonNull(body, "body");
        return new ResponsesReply((out, frames, usage) -> out.sendJson(status, body));
    }

    // --- broken streams --------------------------------------------------------------------------------------------

    /**
     * Streamed: every event of {@link #ok} up to {@code response.output_item.done}, then the proper end of the body:
     * a clean EOF without a terminal event, which a client must treat as an error. Not streamed: the headers and half
     * of the body, then the end of the connection.
     */
    public static ResponsesReply endsBeforeTerminalEvent(String text) {
        Objects.requireNonNull(text, "text");
        return new ResponsesReply((out, frames, usage) -> {
            out.closeAfterReply();
            if (!frames.stream()) {
                String body = ResponsesFrames.write(finished(frames, "completed", text, usageOf(usage, text), null));
                out.sendJsonPrefix(200, body, body.length() / 2);
                out.finishSending();
                return;
            }
            var events = frames.eventStream(out);
            streamMessage(events, frames, text, "completed");
            events.end();
        });
    }

    /**
     * Streamed: the events of {@link #ok} up to and including the first {@code deltas} text deltas, then a TCP
     * reset. Not streamed: the headers and half of the body, then the reset.
     */
    public static ResponsesReply streamCutAfter(int deltas, String text) {
        return partialThen(deltas, text, ResponseWriter::reset);
    }

    /** Like {@link #streamCutAfter} but then silence until the client leaves (counted as abandoned) or the fake closes. */
    public static ResponsesReply stallAfter(int deltas, String text) {
        return partialThen(deltas, text, ResponseWriter::holdUntilClientLeaves);
    }

    /** Reads the request, then resets the connection (TCP RST) before sending a single byte. */
    public static ResponsesReply resetBeforeHeaders() {
        return new ResponsesReply((out, frames, usage) -> out.reset());
    }

    /** Reads the request and never answers, until the client leaves or the fake closes. */
    public static ResponsesReply noAnswer() {
        return new ResponsesReply((out, frames, usage) -> out.holdUntilClientLeaves());
    }

    // --- modifiers -------------------------------------------------------------------------------------------------

    /** This reply reporting {@code usage} instead of the counts derived from its text. */
    public ResponsesReply withUsage(Usage usage) {
        return new ResponsesReply(behaviour, headers, Objects.requireNonNull(usage, "usage"));
    }

    /** This reply with one more response header (replacing one of the same name); replies that send no head ignore it. */
    public ResponsesReply withHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ResponsesReply(behaviour, more, usage);
    }

    /** This reply, then {@code done} once all of it has been written (for tests that must wait for its end). */
    public ResponsesReply onFinished(Runnable done) {
        Objects.requireNonNull(done, "done");
        return new ResponsesReply((out, frames, usage) -> {
            behaviour.play(out, frames, usage);
            done.run();
        }, headers, usage);
    }

    void play(ResponseWriter out, ResponsesFrames frames) throws IOException {
        out.addHeaders(headers);
        behaviour.play(out, frames, usage);
    }

    // --- the shapes ------------------------------------------------------------------------------------------------

    private static ResponsesReply failedWith(String code, Function<String, String> messageForModel) {
        return new ResponsesReply((out, frames, usage) -> {
            ObjectNode error = ResponsesFrames.responseError(code, messageForModel.apply(frames.model()));
            ObjectNode failed = frames.response("failed", null, null, error, null);
            if (!frames.stream()) {
                out.sendJson(200, ResponsesFrames.write(failed));
                return;
            }
            var events = frames.eventStream(out);
            streamStart(events, frames);
            events.send("response.failed", withResponse(failed));
            events.end();
        });
    }

    /** {@link #ok}; {@code completedCarriesOutput} false leaves the streamed {@code response.completed} output empty. */
    private static ResponsesReply completedText(String text, boolean completedCarriesOutput) {
        Objects.requireNonNull(text, "text");
        return new ResponsesReply((out, frames, usage) -> {
            Usage counted = usageOf(usage, text);
            ObjectNode whole = finished(frames, "completed", text, counted, null);
            if (!frames.stream()) {
                out.sendJson(200, ResponsesFrames.write(whole));
                return;
            }
            var events = frames.eventStream(out);
            streamMessage(events, frames, text, "completed");
            events.send("response.completed", withResponse(completedCarriesOutput ? whole
                    : frames.response("completed", null, counted, null, null)));
            events.end();
        });
    }

    private static Usage usageOf(Usage given, String text) {
        return given != null ? given : new Usage(INPUT_TOKENS, CACHED_TOKENS, Words.pieces(text).size(), 0);
    }

    /** The final response object holding one message with {@code text}. */
    private static ObjectNode finished(ResponsesFrames frames, String status, String text, Usage usage,
                                       String incompleteReason) {
        ArrayNode output = ResponsesFrames.array(frames.messageItem(status, text));
        return frames.response(status, output, usage, null, incompleteReason);
    }

    /** The head, {@code response.created} and {@code response.in_progress}. */
    private static void streamStart(ResponsesFrames.EventStream events, ResponsesFrames frames) throws IOException {
        events.start();
        ObjectNode inProgress = frames.response("in_progress", null, null, null, null);
        events.send("response.created", withResponse(inProgress));
        events.send("response.in_progress", withResponse(inProgress));
    }

    /** From the head to {@code response.output_item.done}: everything but the terminal event. */
    private static void streamMessage(ResponsesFrames.EventStream events, ResponsesFrames frames, String text,
                                      String itemStatus) throws IOException {
        List<String> pieces = Words.pieces(text);
        streamUpToDeltas(events, frames, pieces, pieces.size());
        events.send("response.output_text.done", inContent(frames).put("text", text).set("logprobs",
                ResponsesFrames.array()));
        events.send("response.content_part.done", inContent(frames).set("part", frames.outputText(text)));
        events.send("response.output_item.done", ResponsesFrames.object().put("output_index", 0)
                .set("item", frames.messageItem(itemStatus, text)));
    }

    /** From the head to the {@code deltas}-th {@code response.output_text.delta}. */
    private static void streamUpToDeltas(ResponsesFrames.EventStream events, ResponsesFrames frames,
                                         List<String> pieces, int deltas) throws IOException {
        streamStart(events, frames);
        events.send("response.output_item.added", ResponsesFrames.object().put("output_index", 0)
                .set("item", frames.messageItem("in_progress", null)));
        events.send("response.content_part.added", inContent(frames).set("part", frames.outputText("")));
        for (String piece : pieces.subList(0, Math.min(deltas, pieces.size()))) {
            events.send("response.output_text.delta", inContent(frames).put("delta", piece).set("logprobs",
                    ResponsesFrames.array()));
        }
    }

    /** {@code item_id}, {@code output_index} and {@code content_index} of the message's one text part. */
    private static ObjectNode inContent(ResponsesFrames frames) {
        return ResponsesFrames.object().put("item_id", frames.messageId()).put("output_index", 0)
                .put("content_index", 0);
    }

    private static ObjectNode withResponse(ObjectNode response) {
        return ResponsesFrames.object().set("response", response);
    }

    private static ResponsesReply partialThen(int deltas, String text, Ending ending) {
        Objects.requireNonNull(text, "text");
        if (deltas < 0) {
            throw new IllegalArgumentException("deltas must be >= 0, was " + deltas);
        }
        return new ResponsesReply((out, frames, usage) -> {
            if (!frames.stream()) {
                String body = ResponsesFrames.write(finished(frames, "completed", text, usageOf(usage, text), null));
                out.sendJsonPrefix(200, body, body.length() / 2);
                ending.end(out);
                return;
            }
            streamUpToDeltas(frames.eventStream(out), frames, Words.pieces(text), deltas);
            ending.end(out);
        });
    }

    @FunctionalInterface
    private interface Ending {
        void end(ResponseWriter out) throws IOException;
    }
}
