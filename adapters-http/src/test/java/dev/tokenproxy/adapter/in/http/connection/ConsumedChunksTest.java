package dev.tokenproxy.adapter.in.http.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.common.buffers.DataReader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/**
 * Helidon's own {@link DataReader}, fed in small chunks the way a connection's socket feeds it. What the collector
 * would do with the chunks cannot be observed in a test, so the chunks' links are looked at directly.
 */
class ConsumedChunksTest {

    private static final String HEAD = "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 26\r\n\r\n";
    private static final String BODY = "abcdefghijklmnopqrstuvwxyz";

    @Test
    void thisHelidonsReaderCanBeUnlinked() {
        assertThat(ConsumedChunks.available()).isTrue();
    }

    @Test
    void helidonLeavesTheChunksItReadPastLinkedToTheNextOne() throws Exception {
        var feed = new ChunkFeed(false);

        feed.reader.readLine();
        feed.reader.readLine();

        assertThat(feed.headsBeforeTheLastPull()).isNotEmpty()
                .allSatisfy(chunk -> assertThat(next(chunk)).as("a dropped chunk still links on").isNotNull());
    }

    @Test
    void theChunksReadPastAreUnlinked() throws Exception {
        var feed = new ChunkFeed(true);

        feed.reader.readLine();
        feed.reader.readLine();
        feed.reader.readLine();
        feed.reader.readBytes(BODY.length());
        feed.reader.ensureAvailable();

        assertThat(feed.headsBeforeTheLastPull()).hasSizeGreaterThan(5)
                .allSatisfy(chunk -> assertThat(next(chunk)).as("a dropped chunk's link").isNull());
    }

    @Test
    void readingAcrossChunksGivesTheSameBytesWithTheLinksCut() throws Exception {
        var feed = new ChunkFeed(true);

        assertThat(feed.reader.readLine()).isEqualTo("POST /v1/chat/completions HTTP/1.1");
        assertThat(feed.reader.startsWith("Content-".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(feed.reader.readLazyString(StandardCharsets.US_ASCII, 16).toString()).isEqualTo("Content-Length: ");
        assertThat(feed.reader.readAsciiString(2)).isEqualTo("26");
        feed.reader.skip(4);
        assertThat(feed.reader.getBuffer(20).debugDataHex()).isEqualTo(feed.reader.readBuffer(20).debugDataHex());
        assertThat(new String(feed.reader.readBytes(6), StandardCharsets.US_ASCII)).isEqualTo("uvwxyz");
        assertThat(new String(feed.reader.readBytes(5), StandardCharsets.US_ASCII)).isEqualTo("POST ");
    }

    /** A reader over two requests in chunks of 7 bytes that remembers the reader's head at every pull. */
    private static final class ChunkFeed {

        final DataReader reader;
        private final Queue<byte[]> chunks = new ArrayDeque<>();
        private final List<Object> heads = new ArrayList<>();
        private final ConsumedChunks consumed = new ConsumedChunks();

        ChunkFeed(boolean cut) {
            byte[] wire = (HEAD + BODY + HEAD + BODY).getBytes(StandardCharsets.US_ASCII);
            for (int from = 0; from < wire.length; from += 7) {
                chunks.add(Arrays.copyOfRange(wire, from, Math.min(from + 7, wire.length)));
            }
            DataReader[] self = new DataReader[1];
            reader = DataReader.create(() -> {
                heads.add(head(self[0]));
                if (cut) {
                    consumed.cut(self[0]);
                }
                return chunks.poll();
            });
            self[0] = reader;
        }

        /**
         * The chunks that were the reader's head at a pull before the last one: it has read past them, and the last
         * pull (the latest chance to cut) came after it did.
         */
        List<Object> headsBeforeTheLastPull() {
            Object last = heads.getLast();
            return heads.stream().distinct().filter(chunk -> chunk != last).toList();
        }
    }

    private static Object head(DataReader reader) {
        try {
            return field(DataReader.class, "head").get(reader);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Object next(Object chunk) throws ReflectiveOperationException {
        return field(chunk.getClass(), "next").get(chunk);
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }
}
