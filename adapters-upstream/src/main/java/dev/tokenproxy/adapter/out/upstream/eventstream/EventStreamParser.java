package dev.tokenproxy.adapter.out.upstream.eventstream;

import dev.tokenproxy.adapter.out.upstream.stream.MalformedFrameException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;

/**
 * Turns the bytes of an AWS event stream, in chunks split anywhere, into messages. The framing and both CRCs are the
 * AWS SDK's {@link MessageDecoder}; this class adds a cap on the length a frame may declare, checked before the
 * decoder allocates a buffer of that size, and the one thing a decoder cannot know: whether the body ended between
 * frames. Not thread-safe: one parser per response body.
 */
public final class EventStreamParser {

    /**
     * Frames longer than this are refused before they are buffered. The AWS decoder accepts payloads up to 24 MiB;
     * no Kiro event comes near 10 MiB (protocols.md §6 asks the fake for frames above it as a fault).
     */
    public static final int MAX_FRAME_BYTES = 10 * 1024 * 1024;
    /** Prelude (total length, headers length, prelude CRC) plus the message CRC: 4 + 4 + 4 + 4. */
    static final int MIN_FRAME_BYTES = 16;
    private static final int LENGTH_FIELD_BYTES = 4;

    private final List<EventStreamMessage> decoded = new ArrayList<>();
    private final MessageDecoder decoder = new MessageDecoder(message -> decoded.add(messageOf(message)));
    /** Where the next byte falls in the current frame, and that frame's declared length once its first 4 bytes came. */
    private long positionInFrame;
    private int declaredLength;

    /**
     * Feeds the next bytes of the body.
     *
     * @return the messages these bytes completed, possibly none
     * @throws MalformedFrameException a CRC does not match, a length is out of bounds, a header cannot be read; the
     *                                 stream cannot be resynchronised after that, so the parser must not be fed again
     */
    public List<EventStreamMessage> feed(byte[] bytes, int offset, int length) throws MalformedFrameException {
        checkFrameLengths(bytes, offset, length);
        try {
            decoder.feed(bytes, offset, length);
        } catch (RuntimeException e) {
            // The decoder reports CRC and length failures as IllegalArgumentException, a header it cannot read as
            // another runtime exception; all mean the same here: these bytes are not an event stream.
            throw new MalformedFrameException("not an AWS event stream: " + e.getMessage(), e);
        }
        if (decoded.isEmpty()) {
            return List.of();
        }
        var completed = List.copyOf(decoded);
        decoded.clear();
        return completed;
    }

    /** True when the bytes fed so far end inside a frame: a body that ends now was cut. */
    public boolean insideFrame() {
        return positionInFrame != 0;
    }

    /** Follows the frame boundaries by their declared lengths alone; the decoder checks everything else. */
    private void checkFrameLengths(byte[] bytes, int offset, int length) throws MalformedFrameException {
        int index = offset;
        int end = offset + length;
        while (index < end) {
            if (positionInFrame < LENGTH_FIELD_BYTES) {
                declaredLength = (declaredLength << 8) | (bytes[index++] & 0xff);
                positionInFrame++;
                if (positionInFrame == LENGTH_FIELD_BYTES) {
                    checkDeclaredLength(declaredLength);
                }
                continue;
            }
            int skip = (int) Math.min(end - index, Integer.toUnsignedLong(declaredLength) - positionInFrame);
            index += skip;
            positionInFrame += skip;
            if (positionInFrame == Integer.toUnsignedLong(declaredLength)) {
                positionInFrame = 0;
                declaredLength = 0;
            }
        }
    }

    private static void checkDeclaredLength(int length) throws MalformedFrameException {
        long unsigned = Integer.toUnsignedLong(length);
        if (unsigned < MIN_FRAME_BYTES || unsigned > MAX_FRAME_BYTES) {
            throw new MalformedFrameException("an event-stream frame declares " + unsigned + " bytes (allowed "
                    + MIN_FRAME_BYTES + " to " + MAX_FRAME_BYTES + ")", null);
        }
    }

    private static EventStreamMessage messageOf(Message message) {
        var headers = new LinkedHashMap<String, String>();
        message.getHeaders().forEach((name, value) -> headers.put(name, text(value)));
        return new EventStreamMessage(headers, message.getPayload());
    }

    private static String text(HeaderValue value) {
        return switch (value.getType()) {
            case STRING -> value.getString();
            case TRUE, FALSE -> Boolean.toString(value.getBoolean());
            case BYTE -> Byte.toString(value.getByte());
            case SHORT -> Short.toString(value.getShort());
            case INTEGER -> Integer.toString(value.getInteger());
            case LONG -> Long.toString(value.getLong());
            case TIMESTAMP -> value.getTimestamp().toString();
            case UUID -> value.getUuid().toString();
            case BYTE_ARRAY -> java.util.Base64.getEncoder().encodeToString(value.getByteArray());
        };
    }
}
