package dev.tokenproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link FakeKiroUpstream} does with one valid {@code POST /generateAssistantResponse}: a 200 event stream of
 * real AWS frames (protocols.md §4), possibly broken in one of the ways §6 lists, or one of Kiro's error answers
 * {@code {"__type":"…#Name","message","reason"}}. Immutable.
 */
public final class KiroReply {

    /** How a 200 stream ends after its frames. */
    private enum Ending { END, RESET, HOLD }

    private static final String AWS = "com.amazon.aws.codewhisperer#";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final int status;
    private final String errorBody;
    private final List<byte[]> frames;
    private final Ending ending;
    private final int pieceBytes;
    private final Map<String, String> headers;

    private KiroReply(int status, String errorBody, List<byte[]> frames, Ending ending, int pieceBytes,
                      Map<String, String> headers) {
        this.status = status;
        this.errorBody = errorBody;
        this.frames = List.copyOf(frames);
        this.ending = ending;
        this.pieceBytes = pieceBytes;
        this.headers = Map.copyOf(headers);
    }

    // --- 200 streams -------------------------------------------------------------------------------------------------

    /** These frames as they are (one chunk each), then a proper end of the body. */
    public static KiroReply frames(byte[]... frames) {
        return new KiroReply(200, null, Arrays.asList(frames), Ending.END, 0, Map.of());
    }

    /** Text in one event per word, then metering and context usage, as Kiro ends an answer. */
    public static KiroReply ok(String text) {
        var frames = new ArrayList<byte[]>();
        Words.pieces(text).forEach(piece -> frames.add(KiroFrames.text(piece)));
        frames.add(KiroFrames.metering(0.176));
        frames.add(KiroFrames.contextUsage(12.5));
        return new KiroReply(200, null, frames, Ending.END, 0, Map.of());
    }

    /** Reasoning, then text, then metering and context usage. */
    public static KiroReply reasoningThenText(String reasoning, String text) {
        return frames(KiroFrames.reasoning(reasoning), KiroFrames.text(text), KiroFrames.metering(0.2),
                KiroFrames.contextUsage(3.0));
    }

    /**
     * Optional lead-in text, then one tool call whose input JSON arrives in {@code fragments} (the last marked
     * {@code stop}), then metering and context usage.
     */
    public static KiroReply toolUse(String leadIn, String toolUseId, String name, String... fragments) {
        var frames = new ArrayList<byte[]>();
        if (leadIn != null && !leadIn.isEmpty()) {
            frames.add(KiroFrames.text(leadIn));
        }
        for (int i = 0; i < fragments.length; i++) {
            frames.add(KiroFrames.toolUse(toolUseId, name, fragments[i], i == fragments.length - 1));
        }
        frames.add(KiroFrames.metering(0.3));
        frames.add(KiroFrames.contextUsage(4.0));
        return new KiroReply(200, null, frames, Ending.END, 0, Map.of());
    }

    /** A 200 with an empty event stream: no frame at all. */
    public static KiroReply noFrames() {
        return frames();
    }

    /** Metering and context usage but no output: an empty answer. */
    public static KiroReply meteringOnly() {
        return frames(KiroFrames.metering(0.01), KiroFrames.contextUsage(1.0));
    }

    /** An AWS exception frame before any output, e.g. {@code ThrottlingException}. */
    public static KiroReply exceptionFrame(String exceptionType, String message) {
        return frames(KiroFrames.exception(exceptionType, message));
    }

    /** A text frame whose message CRC is wrong, before any good output; then the body ends properly. */
    public static KiroReply corruptFrameBeforeOutput() {
        return frames(KiroFrames.withBadMessageCrc(KiroFrames.text("never seen")), KiroFrames.text("nor this"));
    }

    /** One good text frame per word of {@code text}, then a corrupt frame. */
    public static KiroReply corruptFrameAfter(String text) {
        var frames = new ArrayList<byte[]>();
        Words.pieces(text).forEach(piece -> frames.add(KiroFrames.text(piece)));
        frames.add(KiroFrames.withBadPreludeCrc(KiroFrames.text("lost")));
        return new KiroReply(200, null, frames, Ending.END, 0, Map.of());
    }

    /** A frame declaring {@code totalLength} bytes (e.g. 11 MiB, or fewer than 16) first. */
    public static KiroReply frameDeclaring(int totalLength) {
        return frames(KiroFrames.preludeDeclaring(totalLength));
    }

    /** One text frame per word of {@code text}, then half of another frame, then a proper end of the body. */
    public static KiroReply truncatedFrameAfter(String text) {
        var frames = new ArrayList<byte[]>();
        Words.pieces(text).forEach(piece -> frames.add(KiroFrames.text(piece)));
        byte[] next = KiroFrames.text("cut");
        frames.add(Arrays.copyOf(next, next.length / 2));
        return new KiroReply(200, null, frames, Ending.END, 0, Map.of());
    }

    /** One text frame per word of {@code text}, then a TCP reset: the stream is cut after output. */
    public static KiroReply cutAfterOutput(String text) {
        var frames = new ArrayList<byte[]>();
        Words.pieces(text).forEach(piece -> frames.add(KiroFrames.text(piece)));
        return new KiroReply(200, null, frames, Ending.RESET, 0, Map.of());
    }

    /** One text frame per word of {@code text}, then silence until the client leaves. */
    public static KiroReply stallAfter(String text) {
        var frames = new ArrayList<byte[]>();
        Words.pieces(text).forEach(piece -> frames.add(KiroFrames.text(piece)));
        return new KiroReply(200, null, frames, Ending.HOLD, 0, Map.of());
    }

    /** The same body, written in chunks of {@code bytes} bytes whatever the frame boundaries. */
    public KiroReply inPiecesOf(int bytes) {
        if (bytes <= 0 || status != 200) {
            throw new IllegalArgumentException("pieces need a positive size and a stream reply");
        }
        return new KiroReply(status, errorBody, frames, ending, bytes, headers);
    }

    // --- errors (protocols.md §4 "Errors") ----------------------------------------------------------------------------

    /** Any status with an AWS error body; {@code reason} may be null. */
    public static KiroReply error(int status, String type, String message, String reason) {
        var body = new LinkedHashMap<String, String>();
        body.put("__type", AWS + type);
        body.put("message", message);
        if (reason != null) {
            body.put("reason", reason);
        }
        var json = JSON.createObjectNode();
        body.forEach(json::put);
        return new KiroReply(status, json.toString(), List.of(), Ending.END, 0, Map.of());
    }

    public static KiroReply bearerTokenInvalid() {
        return error(403, "AccessDeniedException", "The bearer token included in the request is invalid.", null);
    }

    public static KiroReply tokenExpired() {
        return error(401, "UnauthorizedException", "The security token included in the request is expired", null);
    }

    public static KiroReply suspended() {
        return error(403, "AccessDeniedException", "Your User ID temporarily is suspended. Please contact support.",
                "TEMPORARILY_SUSPENDED");
    }

    public static KiroReply throttled() {
        return error(429, "ThrottlingException", "Rate exceeded", null);
    }

    public static KiroReply suspiciousActivity() {
        return error(429, "ThrottlingException",
                "We have detected suspicious activity on your account; requests are limited.", null);
    }

    public static KiroReply insufficientModelCapacity() {
        return error(429, "ThrottlingException", "I am experiencing high traffic, please try again shortly.",
                "INSUFFICIENT_MODEL_CAPACITY");
    }

    public static KiroReply monthlyLimitReached() {
        return error(402, "ServiceQuotaExceededException", "You have reached the limit for this month.",
                "MONTHLY_REQUEST_COUNT");
    }

    public static KiroReply highLoad() {
        return error(500, "InternalServerException",
                "Encountered an unexpectedly high load when processing the request, please try again.", null);
    }

    public static KiroReply modelTemporarilyUnavailable() {
        return error(503, "ServiceUnavailableException", "The model is temporarily unavailable.",
                "MODEL_TEMPORARILY_UNAVAILABLE");
    }

    public static KiroReply inputTooLong() {
        return error(400, "ValidationException", "Input is too long.", "CONTENT_LENGTH_EXCEEDS_THRESHOLD");
    }

    public static KiroReply invalidModelId() {
        return error(400, "ValidationException", "Invalid model. Please select a different model to continue.",
                "INVALID_MODEL_ID");
    }

    /** This reply with one more response header (e.g. {@code Retry-After}). */
    public KiroReply withHeader(String name, String value) {
        var more = new LinkedHashMap<>(headers);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new KiroReply(status, errorBody, frames, ending, pieceBytes, more);
    }

    void play(ResponseWriter out, String requestId) throws IOException {
        out.addHeaders(headers);
        out.addHeader("x-amzn-RequestId", requestId);
        if (errorBody != null) {
            out.addHeader("x-amzn-ErrorType", errorBody.replaceAll(".*#([A-Za-z]+).*", "$1"));
            out.sendJson(status, errorBody);
            return;
        }
        if (ending != Ending.END) {
            out.closeAfterReply();
        }
        out.startChunked(200, "application/vnd.amazon.eventstream");
        for (byte[] piece : pieces()) {
            out.sendChunk(piece);
        }
        switch (ending) {
            case END -> out.endChunked();
            case RESET -> out.reset();
            case HOLD -> out.holdUntilClientLeaves();
        }
    }

    private List<byte[]> pieces() {
        if (pieceBytes == 0) {
            return frames.stream().filter(frame -> frame.length > 0).toList();
        }
        var all = new ByteArrayOutputStream();
        frames.forEach(all::writeBytes);
        byte[] bytes = all.toByteArray();
        var pieces = new ArrayList<byte[]>();
        for (int offset = 0; offset < bytes.length; offset += pieceBytes) {
            pieces.add(Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + pieceBytes)));
        }
        return pieces;
    }
}
