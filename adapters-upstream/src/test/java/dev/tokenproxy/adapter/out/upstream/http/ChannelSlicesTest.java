package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JDK copies a heap buffer into a temporary native buffer of the size of each channel call and keeps it for the
 * carrier thread: calls larger than {@link ChannelConnection#IO_SLICE} would leave a prompt's size of native memory
 * behind on every carrier that ever sent or received one.
 */
class ChannelSlicesTest {

    @Test
    void aSmallRequestIsOneGatheringWrite() throws Exception {
        var channel = new RecordingChannel();

        ChannelConnection.writeSliced(channel, bytes(200, 'h'), bytes(1000, 'b'), 1000);

        assertThat(channel.calls).containsExactly(1200);
        assertThat(channel.written.toByteArray()).isEqualTo(concat(bytes(200, 'h'), bytes(1000, 'b')));
    }

    @Test
    void aLargeBodyReachesTheChannelInSlicesOfAtMostSixtyFourKiB() throws Exception {
        var channel = new RecordingChannel();
        byte[] head = bytes(300, 'h');
        byte[] body = new byte[1_000_000];
        new java.util.Random(7).nextBytes(body);

        ChannelConnection.writeSliced(channel, head, body, body.length);

        assertThat(channel.calls).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(ChannelConnection.IO_SLICE));
        assertThat(channel.calls.getFirst()).isEqualTo(ChannelConnection.IO_SLICE);
        assertThat(channel.written.toByteArray()).isEqualTo(concat(head, body));
    }

    @Test
    void aBodyAtTheStartOfALongerArrayIsSentWithoutWhatFollowsIt() throws Exception {
        var channel = new RecordingChannel();
        byte[] reused = new byte[300_000];
        Arrays.fill(reused, (byte) 's');
        Arrays.fill(reused, 0, 200_000, (byte) 'b');

        ChannelConnection.writeSliced(channel, bytes(300, 'h'), reused, 200_000);

        assertThat(channel.written.toByteArray()).isEqualTo(concat(bytes(300, 'h'), bytes(200_000, 'b')));
    }

    @Test
    void aRequestWithoutABodyIsItsHead() throws Exception {
        var channel = new RecordingChannel();

        ChannelConnection.writeSliced(channel, bytes(50, 'h'), null, 0);

        assertThat(channel.written.toByteArray()).isEqualTo(bytes(50, 'h'));
    }

    @Test
    void aLargeReadAsksTheChannelForAtMostSixtyFourKiB() throws Exception {
        var asked = new ArrayList<Integer>();
        ReadableByteChannel channel = new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer into) {
                asked.add(into.remaining());
                int count = into.remaining();
                into.position(into.limit());
                return count;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };

        int read = ChannelConnection.readSlice(channel, new byte[1 << 20], 0, 1 << 20);

        assertThat(read).isEqualTo(ChannelConnection.IO_SLICE);
        assertThat(asked).containsExactly(ChannelConnection.IO_SLICE);
    }

    private static byte[] bytes(int count, char value) {
        byte[] bytes = new byte[count];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** Takes at most 100,000 bytes per call, as a socket with a full send buffer would, and records each call's size. */
    private static final class RecordingChannel implements GatheringByteChannel {
        final List<Integer> calls = new ArrayList<>();
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) {
            int offered = 0;
            for (int i = offset; i < offset + length; i++) {
                offered += sources[i].remaining();
            }
            calls.add(offered);
            long taken = 0;
            for (int i = offset; i < offset + length && taken < 100_000; i++) {
                int count = (int) Math.min(sources[i].remaining(), 100_000 - taken);
                byte[] part = new byte[count];
                sources[i].get(part);
                written.writeBytes(part);
                taken += count;
            }
            return taken;
        }

        @Override
        public long write(ByteBuffer[] sources) {
            return write(sources, 0, sources.length);
        }

        @Override
        public int write(ByteBuffer source) {
            return (int) write(new ByteBuffer[] {source});
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
