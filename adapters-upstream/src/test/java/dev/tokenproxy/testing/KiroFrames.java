package dev.tokenproxy.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;

/**
 * Kiro's response frames (protocols.md §4), encoded by the AWS library so that lengths and CRCs are real: each event
 * carries {@code :event-type}, {@code :content-type} and {@code :message-type} in that order, and a JSON payload.
 */
public final class KiroFrames {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KiroFrames() {
    }

    public static byte[] text(String delta) {
        return event("assistantResponseEvent", JSON.createObjectNode().put("content", delta));
    }

    public static byte[] reasoning(String delta) {
        return event("reasoningContentEvent", JSON.createObjectNode().put("text", delta));
    }

    /** One fragment of a tool call's input; the last one carries {@code "stop":true}. */
    public static byte[] toolUse(String toolUseId, String name, String inputFragment, boolean stop) {
        ObjectNode payload = JSON.createObjectNode().put("name", name).put("toolUseId", toolUseId)
                .put("input", inputFragment);
        if (stop) {
            payload.put("stop", true);
        }
        return event("toolUseEvent", payload);
    }

    public static byte[] metering(double credits) {
        return event("meteringEvent", JSON.createObjectNode().put("unit", "credit").put("unitPlural", "credits")
                .put("usage", credits));
    }

    public static byte[] contextUsage(double percentage) {
        return event("contextUsageEvent", JSON.createObjectNode().put("contextUsagePercentage", percentage));
    }

    /** The rare event with real token counts. */
    public static byte[] tokenUsage(int uncachedInput, int cacheRead, int output) {
        ObjectNode usage = JSON.createObjectNode().put("uncachedInputTokens", uncachedInput)
                .put("cacheReadInputTokens", cacheRead).put("outputTokens", output)
                .put("totalTokens", uncachedInput + cacheRead + output);
        ObjectNode payload = JSON.createObjectNode();
        payload.set("tokenUsage", usage);
        return event("metadataEvent", payload);
    }

    public static byte[] messageStop(String stopReason) {
        return event("messageStopEvent", JSON.createObjectNode().put("stopReason", stopReason));
    }

    /** An event of any type with any JSON payload, for the types a client must ignore. */
    public static byte[] event(String eventType, ObjectNode payload) {
        var headers = new LinkedHashMap<String, HeaderValue>();
        headers.put(":event-type", HeaderValue.fromString(eventType));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("event"));
        return encode(headers, payload.toString());
    }

    /** An AWS exception message, e.g. {@code ThrottlingException} with {@code {"message":…}}. */
    public static byte[] exception(String exceptionType, String message) {
        var headers = new LinkedHashMap<String, HeaderValue>();
        headers.put(":exception-type", HeaderValue.fromString(exceptionType));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("exception"));
        return encode(headers, JSON.createObjectNode().put("message", message).toString());
    }

    /** {@code frame} with one bit of its message CRC flipped. */
    public static byte[] withBadMessageCrc(byte[] frame) {
        byte[] bad = frame.clone();
        bad[bad.length - 1] ^= 0x01;
        return bad;
    }

    /** {@code frame} with one bit of its prelude CRC flipped. */
    public static byte[] withBadPreludeCrc(byte[] frame) {
        byte[] bad = frame.clone();
        bad[8] ^= 0x01;
        return bad;
    }

    /** A prelude that declares {@code totalLength} bytes with a correct prelude CRC, and nothing after it. */
    public static byte[] preludeDeclaring(int totalLength) {
        var prelude = java.nio.ByteBuffer.allocate(12).putInt(totalLength).putInt(0);
        var crc = new java.util.zip.CRC32();
        crc.update(prelude.array(), 0, 8);
        return prelude.putInt((int) crc.getValue()).array();
    }

    private static byte[] encode(LinkedHashMap<String, HeaderValue> headers, String payload) {
        var out = new ByteArrayOutputStream();
        new Message(headers, payload.getBytes(StandardCharsets.UTF_8)).encode(out);
        return out.toByteArray();
    }
}
