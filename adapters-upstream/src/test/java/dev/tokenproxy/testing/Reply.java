package dev.tokenproxy.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link FakeOpenAiUpstream} does with one request: a well-formed answer, an error, or one of the ways real
 * upstreams misbehave. Immutable; the factories shape the answer to the request, so one reply serves both
 * {@code "stream": true} and non-stream requests. Stream replies send each SSE event as its own flushed chunk, and
 * content goes out one word per chunk (see {@code chunks} below).
 */
public final class Reply {

    /**
     * Token counts of a completion ({@code usage}, protocols.md §1); {@code total_tokens} is prompt plus completion.
     *
     * @param cachedTokens    {@code prompt_tokens_details.cached_tokens}, part of {@code promptTokens}
     * @param reasoningTokens {@code completion_tokens_details.reasoning_tokens}, part of {@code completionTokens}
     */
    public record Usage(int promptTokens, int cachedTokens, int completionTokens, int reasoningTokens) {
        public Usage {
            if (promptTokens < 0 || cachedTokens < 0 || completionTokens < 0 || reasoningTokens < 0) {
                throw new IllegalArgumentException("token counts cannot be negative");
            }
            if (cachedTokens > promptTokens || reasoningTokens > completionTokens) {
                throw new IllegalArgumentException("cached and reasoning tokens are parts of prompt and completion tokens");
            }
        }
    }

    /** The steps of a reply, played on the connection of the request it answers. */
    @FunctionalInterface
    interface Behaviour {
        void play(ResponseWriter out, ChatFrames chat) throws IOException;
    }

    private final Behaviour behaviour;
    private final Map<String, String> headers;

    private Reply(Behaviour behaviour, Map<String, String> headers) {
        this.behaviour = behaviour;
        this.headers = Map.copyOf(headers);
    }

    private Reply(Behaviour behaviour) {
        this(behaviour, Map.of());
    }

    /** 200 with {@code content} and finish_reason stop; when streaming, usage comes only if the request asked for it. */
    public static Reply ok(String content) {
        Objects.requireNonNull(content, "content");
        return new Reply((out, chat) -> {
            if (!chat.stream()) {
                out.sendJson(200, chat.completion(content));
                return;
            }
            streamCompletion(out, chat, content);
            out.sendEvent("[DONE]");
            out.endEventStream();
        });
    }

    /**
     * 200 whose answer is one call of the function {@code name} with {@code arguments} (finish_reason tool_calls);
     * streamed, the arguments arrive in two fragments.
     */
    public static Reply toolCall(String callId, String name, String arguments) {
        return new Reply((out, chat) -> {
            if (!chat.stream()) {
                out.sendJson(200, chat.toolCallCompletion(callId, name, arguments));
                return;
            }
            out.startEventStream();
            out.sendEvent(chat.roleChunk());
            out.sendEvent(chat.toolCallStartChunk(callId, name));
            int half = arguments.length() / 2;
            out.sendEvent(chat.toolCallArgumentsChunk(arguments.substring(0, half)));
            out.sendEvent(chat.toolCallArgumentsChunk(arguments.substring(half)));
            out.sendEvent(chat.finishChunk("tool_calls"));
            if (chat.includeUsage()) {
                out.sendEvent(chat.usageChunk(1));
            }
            out.sendEvent("[DONE]");
            out.endEventStream();
        });
    }

    /** Any status with a raw body, sent as {@code application/json} whatever it contains. */
    public static Reply status(int status, String body) {
        Objects.requireNonNull(body, "body");
        return new Reply((out, chat) -> out.sendJson(status, body));
    }

    /** An OpenAI error body {@code {"error":{"message","type","param":null,"code"}}}. */
    public static Reply error(int status, String type, String code, String message) {
        return status(status, ChatFrames.error(type, code, message, null));
    }

    /** 429 {@code rate_limit_exceeded} with {@code Retry-After} in seconds. */
    public static Reply rateLimited(int retryAfterSeconds) {
        return error(429, "requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later.")
                .withHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }

    public static Reply contextLengthExceeded() {
        return status(400, ChatFrames.error("invalid_request_error", "context_length_exceeded",
                "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
                "messages"));
    }

    public static Reply contentPolicyViolation() {
        return error(400, "invalid_request_error", "content_policy_violation",
                "Your request was rejected as a result of our safety system.");
    }

    /** 200 with content "" and finish_reason stop; streamed, just the role chunk, the finish chunk and [DONE]. */
    public static Reply emptyCompletion() {
        return ok("");
    }

    /** Reads the request, then resets the connection (TCP RST) before sending a single byte. */
    public static Reply resetBeforeHeaders() {
        return new Reply((out, chat) -> out.reset());
    }

    /** Reads the request and never answers; the connection stays open until the client leaves or the fake closes. */
    public static Reply noAnswer() {
        return new Reply((out, chat) -> out.holdUntilClientLeaves());
    }

    /**
     * Streamed: headers and the role chunk at once, then {@code delay} of silence, then the rest as {@link #ok}.
     * Not streamed: {@code delay} before the headers. A client that leaves during the delay counts as abandoned.
     */
    public static Reply slowFirstToken(Duration delay, String content) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(content, "content");
        return new Reply((out, chat) -> {
            if (!chat.stream()) {
                out.pause(delay);
                out.sendJson(200, chat.completion(content));
                return;
            }
            out.startEventStream();
            out.sendEvent(chat.roleChunk());
            out.pause(delay);
            for (String piece : Words.pieces(content)) {
                out.sendEvent(chat.contentChunk(piece));
            }
            finishCompletion(out, chat, content);
            out.sendEvent("[DONE]");
            out.endEventStream();
        });
    }

    /**
     * Streamed: headers, the role chunk and the first {@code chunks} content chunks, then a TCP reset: no finish
     * chunk, no [DONE], no end of the chunked body. Not streamed: the headers and half of the body, then the reset.
     */
    public static Reply streamCutAfter(int chunks, String content) {
        return partialThen(chunks, content, ResponseWriter::reset);
    }

    /**
     * Like {@link #streamCutAfter} but then silence instead of a reset: the connection stays open and nothing more
     * is sent until the client leaves (counted as abandoned) or the fake closes.
     */
    public static Reply stallAfter(int chunks, String content) {
        return partialThen(chunks, content, ResponseWriter::holdUntilClientLeaves);
    }

    /**
     * Streamed: headers, the role chunk, then the event {@code data: {not json}, then a proper end of the body and
     * of the connection, so that the malformed event is the only fault. Not streamed: 200 with body {@code {not json}.
     */
    public static Reply malformedChunk() {
        return new Reply((out, chat) -> {
            out.closeAfterReply();
            if (!chat.stream()) {
                out.sendJson(200, "{not json");
                return;
            }
            out.startEventStream();
            out.sendEvent(chat.roleChunk());
            out.sendEvent("{not json");
            out.endEventStream();
        });
    }

    /** Streamed: as {@link #ok} up to the finish (and usage) chunk, but no [DONE]; the body then ends properly and the connection closes. */
    public static Reply noDone(String content) {
        Objects.requireNonNull(content, "content");
        return new Reply((out, chat) -> {
            out.closeAfterReply();
            if (!chat.stream()) {
                out.sendJson(200, chat.completion(content));
                return;
            }
            streamCompletion(out, chat, content);
            out.endEventStream();
        });
    }

    /**
     * Streamed: 200 headers, then {@code data: {"error":{"message":"overloaded","type":"server_error"}}} before any
     * output, then the body ends and the connection closes. Not streamed: that error document with status 200.
     */
    public static Reply errorEventBeforeOutput() {
        String error = "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}";
        return new Reply((out, chat) -> {
            out.closeAfterReply();
            if (!chat.stream()) {
                out.sendJson(200, error);
                return;
            }
            out.startEventStream();
            out.sendEvent(error);
            out.endEventStream();
        });
    }

    /**
     * {@code first}, then — {@code after} later, on the same connection, unasked — a complete second response
     * answering with {@code strayContent}: what a broken upstream or a desynchronised proxy does. With a zero
     * {@code after}, both leave in one write, so the client receives them in the same packet.
     */
    public static Reply thenStrayResponse(Reply first, Duration after, String strayContent) {
        return new Reply((out, chat) -> {
            boolean samePacket = after.isZero();
            if (samePacket) {
                out.cork();
            }
            first.play(out, chat);
            out.pause(after);
            String body = chat.completion(strayContent);
            out.sendRaw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body);
            if (samePacket) {
                out.uncork();
            }
        });
    }

    /** {@code first}, then a stray response and the end of the stream (FIN) in one go: data buffered before EOF. */
    public static Reply thenStrayResponseAndClose(Reply first, String strayContent) {
        return new Reply((out, chat) -> {
            out.cork();
            first.play(out, chat);
            String body = chat.completion(strayContent);
            out.sendRaw("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            out.uncork();
            out.finishSending();
        });
    }

    /** {@code first}, then the end of the stream (FIN) without announcing {@code Connection: close}. */
    public static Reply thenClose(Reply first) {
        return new Reply((out, chat) -> {
            first.play(out, chat);
            out.finishSending();
        });
    }

    /** This reply, then {@code done} once all of it has been written (for tests that must wait for its end). */
    public Reply onFinished(Runnable done) {
        Objects.requireNonNull(done, "done");
        return new Reply((out, chat) -> {
            behaviour.play(out, chat);
            done.run();
        }, headers);
    }

    /** An interim response (e.g. {@code 100 Continue}, {@code 103 Early Hints}) before {@code then}. */
    public static Reply interimThen(int status, Reply then) {
        return new Reply((out, chat) -> {
            out.sendRaw("HTTP/1.1 " + status + " Interim\r\nLink: </style.css>; rel=preload\r\n\r\n");
            then.play(out, chat);
        });
    }

    /** A response whose status line is sent exactly as given, e.g. {@code HTTP/1.1 999 Odd}, with a JSON body. */
    public static Reply rawStatusLine(String statusLine, String body) {
        return new Reply((out, chat) -> out.sendRaw(statusLine + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body));
    }

    /** A 200 that declares and sends {@code length} bytes: to show that nothing that large is buffered. */
    public static Reply hugeBody(long length) {
        return new Reply((out, chat) -> out.sendHugeJson(length));
    }

    /** A 200 that sends {@code length} bytes in chunks without declaring a length: only counting can stop it. */
    public static Reply hugeChunkedBody(long length) {
        return new Reply((out, chat) -> out.sendHugeChunkedJson(length));
    }

    /**
     * A 200 that sends {@code length} bytes with neither a length nor chunking, the end being the connection's close
     * ({@code Connection: close}): only counting can stop it.
     */
    public static Reply hugeCloseDelimitedBody(long length) {
        return new Reply((out, chat) -> out.sendHugeCloseDelimitedJson(length));
    }

    /** A 200 with both Content-Length and chunked framing, which two parsers could read differently. */
    public static Reply ambiguousLength(String content) {
        return new Reply((out, chat) -> {
            String body = chat.completion(content);
            out.sendRaw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body
                    + "\r\n0\r\n\r\n");
        });
    }

    /** A 200 without Content-Length or chunking: the body ends when the server closes the connection. */
    public static Reply closeDelimited(String content) {
        return new Reply((out, chat) -> {
            out.sendRaw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + chat.completion(content));
            out.finishSending();
        });
    }

    /**
     * This reply reporting {@code usage}, with its cached and reasoning token details, instead of the counts derived
     * from its content: in the completion, and in the usage chunk of a stream that asked for one.
     */
    public Reply withUsage(Usage usage) {
        Objects.requireNonNull(usage, "usage");
        return new Reply((out, chat) -> behaviour.play(out, chat.reporting(usage)), headers);
    }

    /** This reply with one more response header (replacing one of the same name); replies that send no headers ignore it. */
    public Reply withHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Reply(behaviour, more);
    }

    void play(ResponseWriter out, ChatFrames chat) throws IOException {
        out.addHeaders(headers);
        behaviour.play(out, chat);
    }

    /** Headers, role chunk, one chunk per word, finish chunk, and the usage chunk when the request asked for one. */
    private static void streamCompletion(ResponseWriter out, ChatFrames chat, String content) throws IOException {
        out.startEventStream();
        out.sendEvent(chat.roleChunk());
        for (String piece : Words.pieces(content)) {
            out.sendEvent(chat.contentChunk(piece));
        }
        finishCompletion(out, chat, content);
    }

    private static void finishCompletion(ResponseWriter out, ChatFrames chat, String content) throws IOException {
        out.sendEvent(chat.finishChunk());
        if (chat.includeUsage()) {
            out.sendEvent(chat.usageChunk(Words.pieces(content).size()));
        }
    }

    /** Sends the start of an answer, then hands the connection to {@code ending}. */
    private static Reply partialThen(int chunks, String content, Ending ending) {
        Objects.requireNonNull(content, "content");
        if (chunks < 0) {
            throw new IllegalArgumentException("chunks must be >= 0, was " + chunks);
        }
        return new Reply((out, chat) -> {
            if (!chat.stream()) {
                String body = chat.completion(content);
                out.sendJsonPrefix(200, body, body.length() / 2);
                ending.end(out);
                return;
            }
            out.startEventStream();
            out.sendEvent(chat.roleChunk());
            List<String> pieces = Words.pieces(content);
            for (String piece : pieces.subList(0, Math.min(chunks, pieces.size()))) {
                out.sendEvent(chat.contentChunk(piece));
            }
            ending.end(out);
        });
    }

    @FunctionalInterface
    private interface Ending {
        void end(ResponseWriter out) throws IOException;
    }
}
