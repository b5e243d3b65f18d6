package dev.tokenproxy.adapter.out.upstream.eventstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenproxy.adapter.out.upstream.stream.MalformedFrameException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;

class EventStreamParserTest {

    private static final HexFormat HEX = HexFormat.of();

    /** protocols.md §4 test vector: no headers, payload {"foo": "bar"}. */
    private static final byte[] NO_HEADERS = concat(HEX.parseHex("0000001e00000000baf2f68a"),
            utf8("{\"foo\": \"bar\"}"), HEX.parseHex("ae7258e4"));

    @Test
    void decodesTheProtocolDocsTestVectors() throws Exception {
        var plain = new EventStreamParser().feed(NO_HEADERS, 0, NO_HEADERS.length);
        assertThat(plain).singleElement().satisfies(message -> {
            assertThat(message.headers()).isEmpty();
            assertThat(new String(message.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"foo\": \"bar\"}");
        });

        byte[] event = event("assistantResponseEvent", "{\"content\":\"Hi\"}");
        assertThat(event).hasSize(124);
        assertThat(HEX.formatHex(event, 0, 12)).isEqualTo("0000007c0000005c3bddcf78");
        assertThat(HEX.formatHex(event, 120, 124)).isEqualTo("b02babdc");
        var decoded = new EventStreamParser().feed(event, 0, event.length);
        assertThat(decoded).singleElement().satisfies(message -> {
            assertThat(message.messageType()).isEqualTo("event");
            assertThat(message.type()).contains("assistantResponseEvent");
            assertThat(message.header(":content-type")).contains("application/json");
        });
    }

    @Test
    void yieldsTheSameMessagesWhereverTheReadsSplitTheStream() throws Exception {
        byte[] stream = recordedStream();
        List<String> whole = describe(feedInChunks(stream, stream.length));
        assertThat(whole).hasSize(5);

        for (int split = 0; split <= stream.length; split++) {
            var parser = new EventStreamParser();
            var messages = new ArrayList<>(parser.feed(stream, 0, split));
            assertThat(parser.insideFrame()).isEqualTo(!frameBoundaries(stream).contains(split));
            messages.addAll(parser.feed(stream, split, stream.length - split));
            assertThat(describe(messages)).as("split at %d", split).isEqualTo(whole);
            assertThat(parser.insideFrame()).isFalse();
        }
        assertThat(describe(feedInChunks(stream, 1))).isEqualTo(whole);
        assertThat(describe(feedInChunks(stream, 7))).isEqualTo(whole);
    }

    @Test
    void refusesABadPreludeCrc() {
        byte[] stream = recordedStream();
        stream[8] ^= 0x01;
        assertThatThrownBy(() -> feedInChunks(stream, 3)).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("relude");
    }

    @Test
    void refusesABadMessageCrcOfALaterFrame() throws Exception {
        byte[] first = event("assistantResponseEvent", "{\"content\":\"Hi\"}");
        byte[] second = event("assistantResponseEvent", "{\"content\":\" there\"}");
        second[second.length - 1] ^= 0x01;
        var parser = new EventStreamParser();
        assertThat(parser.feed(first, 0, first.length)).hasSize(1);
        assertThatThrownBy(() -> parser.feed(second, 0, second.length)).isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void refusesAFrameLongerThanTheCapBeforeBufferingIt() {
        byte[] prelude = preludeDeclaring(EventStreamParser.MAX_FRAME_BYTES + 1);
        var parser = new EventStreamParser();
        assertThatThrownBy(() -> parser.feed(prelude, 0, prelude.length))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("declares 10485761 bytes");
        byte[] huge = preludeDeclaring(0xfffffff0);
        assertThatThrownBy(() -> new EventStreamParser().feed(huge, 0, 4)).isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void refusesAFrameShorterThanItsOwnPreludeAndCrc() {
        byte[] prelude = preludeDeclaring(15);
        assertThatThrownBy(() -> new EventStreamParser().feed(prelude, 0, prelude.length))
                .isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void saysWhenTheBytesEndInsideAFrame() throws Exception {
        byte[] event = event("assistantResponseEvent", "{\"content\":\"Hi\"}");
        var parser = new EventStreamParser();
        assertThat(parser.feed(event, 0, event.length - 1)).isEmpty();
        assertThat(parser.insideFrame()).isTrue();
    }

    @Test
    void readsExceptionAndErrorMessagesByTheirOwnTypeHeader() throws Exception {
        byte[] exception = encode(headers(":exception-type", "ThrottlingException", ":message-type", "exception"),
                "{\"message\":\"slow down\"}");
        byte[] error = encode(headers(":error-code", "InternalFailure", ":message-type", "error"), "");
        var messages = feedInChunks(concat(exception, error), 5);
        assertThat(messages).extracting(EventStreamMessage::messageType).containsExactly("exception", "error");
        assertThat(messages).extracting(message -> message.type().orElseThrow())
                .containsExactly("ThrottlingException", "InternalFailure");
    }

    /** Five frames as Kiro sends them: text, a tool call in two fragments, metering, context usage. */
    static byte[] recordedStream() {
        return concat(
                event("assistantResponseEvent", "{\"content\":\"Hé ✓\"}"),
                event("toolUseEvent", "{\"name\":\"get_weather\",\"toolUseId\":\"tooluse_1\",\"input\":\"{\\\"ci\"}"),
                event("toolUseEvent", "{\"name\":\"get_weather\",\"toolUseId\":\"tooluse_1\",\"input\":\"ty\\\":1}\",\"stop\":true}"),
                event("meteringEvent", "{\"unit\":\"credit\",\"unitPlural\":\"credits\",\"usage\":0.176}"),
                event("contextUsageEvent", "{\"contextUsagePercentage\":12.5}"));
    }

    /** An event with the three headers in the order protocols.md §4 gives, encoded by the AWS library. */
    static byte[] event(String eventType, String json) {
        return encode(headers(":event-type", eventType, ":content-type", "application/json", ":message-type", "event"),
                json);
    }

    private static LinkedHashMap<String, HeaderValue> headers(String... namesAndValues) {
        var headers = new LinkedHashMap<String, HeaderValue>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], HeaderValue.fromString(namesAndValues[i + 1]));
        }
        return headers;
    }

    private static byte[] encode(LinkedHashMap<String, HeaderValue> headers, String payload) {
        var out = new ByteArrayOutputStream();
        new Message(headers, utf8(payload)).encode(out);
        return out.toByteArray();
    }

    private static byte[] preludeDeclaring(int totalLength) {
        var prelude = ByteBuffer.allocate(12).putInt(totalLength).putInt(0);
        var crc = new CRC32();
        crc.update(prelude.array(), 0, 8);
        return prelude.putInt((int) crc.getValue()).array();
    }

    private static List<EventStreamMessage> feedInChunks(byte[] stream, int chunk) throws MalformedFrameException {
        var parser = new EventStreamParser();
        var messages = new ArrayList<EventStreamMessage>();
        for (int offset = 0; offset < stream.length; offset += chunk) {
            messages.addAll(parser.feed(stream, offset, Math.min(chunk, stream.length - offset)));
        }
        return messages;
    }

    private static List<Integer> frameBoundaries(byte[] stream) {
        var boundaries = new ArrayList<Integer>();
        int offset = 0;
        boundaries.add(0);
        while (offset < stream.length) {
            offset += ByteBuffer.wrap(stream, offset, 4).getInt();
            boundaries.add(offset);
        }
        return boundaries;
    }

    private static List<String> describe(List<EventStreamMessage> messages) {
        return messages.stream()
                .map(m -> m.type().orElse("?") + " " + new String(m.payload(), StandardCharsets.UTF_8))
                .toList();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
