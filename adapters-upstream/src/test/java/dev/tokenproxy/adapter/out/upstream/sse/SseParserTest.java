package dev.tokenproxy.adapter.out.upstream.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenproxy.adapter.out.upstream.sse.SseItem.Comment;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private static final String MIXED = "\uFEFF: keep-alive\r\n\r\n"
            + "data: {\"content\":\"h\u00e9llo \u4e16\u754c \uD83D\uDE00\"}\r\n\r\n"
            + "event: response.created\n"
            + "data: line one\n"
            + "data:line two\n"
            + "\n"
            + "data: cr only\r\r"
            + "id: 7\nretry: 100\nunknown: x\ndata\n\n"
            + "event: no-data\n\n"
            + ":\n"
            + "data: [DONE]\n\n";

    private static final List<SseItem> MIXED_ITEMS = List.of(
            new Comment(" keep-alive"),
            new Event(null, "{\"content\":\"h\u00e9llo \u4e16\u754c \uD83D\uDE00\"}"),
            new Event("response.created", "line one\nline two"),
            new Event(null, "cr only"),
            new Event(null, ""),
            new Comment(""),
            new Event(null, "[DONE]"));

    @Test
    void parsesEventsCommentsAndFieldsOfAWholeStream() throws Exception {
        assertThat(parseInSplits(bytes(MIXED))).containsExactlyElementsOf(MIXED_ITEMS);
    }

    @Test
    void givesTheSameItemsWhenTheStreamIsSplitAtAnySinglePosition() throws Exception {
        byte[] all = bytes(MIXED);
        for (int split = 0; split <= all.length; split++) {
            assertThat(parseInSplits(all, split)).as("split at %d", split).containsExactlyElementsOf(MIXED_ITEMS);
        }
    }

    @Test
    void givesTheSameItemsWhenFedOneByteAtATime() throws Exception {
        byte[] all = bytes(MIXED);
        int[] everyByte = new int[all.length];
        for (int i = 0; i < all.length; i++) {
            everyByte[i] = i;
        }
        assertThat(parseInSplits(all, everyByte)).containsExactlyElementsOf(MIXED_ITEMS);
    }

    @Test
    void givesTheSameItemsForEveryPairOfSplitsInsideMultiByteCharactersAndLineEnds() throws Exception {
        byte[] all = bytes("data: \uD83D\uDE00\u00e9\r\n\r\ndata: x\r\r\n");
        List<SseItem> expected = List.of(new Event(null, "\uD83D\uDE00\u00e9"), new Event(null, "x"));
        for (int a = 0; a <= all.length; a++) {
            for (int b = a; b <= all.length; b++) {
                assertThat(parseInSplits(all, a, b)).as("splits %d,%d", a, b).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void returnsAnEventOnlyOnceItsBlankLineArrives() throws Exception {
        var parser = new SseParser();
        byte[] line = bytes("data: {\"a\":1}\n");
        assertThat(parser.feed(line, 0, line.length)).isEmpty();
        assertThat(parser.hasIncompleteEvent()).isTrue();
        assertThat(parser.feed(bytes("\n"), 0, 1)).containsExactly(new Event(null, "{\"a\":1}"));
        assertThat(parser.hasIncompleteEvent()).isFalse();
    }

    @Test
    void rejectsALineLongerThanTheLimit() {
        var parser = new SseParser(16);
        byte[] line = bytes("data: 0123456789abcdef");
        assertThatThrownBy(() -> parser.feed(line, 0, line.length)).isInstanceOf(SseFormatException.class);
    }

    @Test
    void framesDataAsOneEventEvenWhenItSpansLines() {
        assertThat(new String(SseFrames.data("{\"a\":1}"), StandardCharsets.UTF_8)).isEqualTo("data: {\"a\":1}\n\n");
        assertThat(new String(SseFrames.data("a\nb"), StandardCharsets.UTF_8)).isEqualTo("data: a\ndata: b\n\n");
        assertThat(new String(SseFrames.comment(" ping"), StandardCharsets.UTF_8)).isEqualTo(": ping\n\n");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Feeds {@code all} cut at the given ascending positions (each a chunk boundary). */
    private static List<SseItem> parseInSplits(byte[] all, int... splits) throws SseFormatException {
        var parser = new SseParser();
        var items = new ArrayList<SseItem>();
        int from = 0;
        for (int split : splits) {
            items.addAll(parser.feed(all, from, split - from));
            from = split;
        }
        items.addAll(parser.feed(all, from, all.length - from));
        return items;
    }
}
