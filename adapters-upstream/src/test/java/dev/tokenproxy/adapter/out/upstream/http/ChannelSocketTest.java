package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.common.buffers.BufferData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The upstream socket over a real loopback connection: every byte arrives, in order, with no buffer kept. */
class ChannelSocketTest {

    private ServerSocketChannel server;
    private SocketChannel upstreamSide;
    private SocketChannel gatewaySide;
    private ChannelSocket socket;

    @BeforeEach
    void connect() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        gatewaySide = SocketChannel.open(server.getLocalAddress());
        upstreamSide = server.accept();
        socket = new ChannelSocket(gatewaySide, "0x1");
    }

    @AfterEach
    void close() throws IOException {
        gatewaySide.close();
        upstreamSide.close();
        server.close();
    }

    @Test
    void aLargeAnswerArrivesWholeInReadsThatGrowFromSmallToLarge() throws Exception {
        byte[] answer = new byte[600_000];
        new Random(7).nextBytes(answer);
        Thread.ofVirtual().start(() -> {
            try {
                writeAll(upstreamSide, answer);
                upstreamSide.shutdownOutput();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        var received = new ByteArrayOutputStream();
        List<Integer> sizes = new ArrayList<>();
        for (byte[] chunk = socket.get(); chunk != null; chunk = socket.get()) {
            received.write(chunk);
            sizes.add(chunk.length);
        }

        assertThat(received.toByteArray()).isEqualTo(answer);
        assertThat(sizes).allSatisfy(size -> assertThat(size).isBetween(1, ChannelSocket.LARGE_READ));
        assertThat(sizes.getFirst()).isLessThanOrEqualTo(ChannelSocket.SMALL_READ);
        assertThat(sizes).as("a big answer is not read 2 KiB at a time").anySatisfy(
                size -> assertThat(size).isGreaterThan(ChannelSocket.SMALL_READ));
    }

    @Test
    void aSmallChunkComesBackAsExactlyItsBytes() throws Exception {
        writeAll(upstreamSide, "data: {\"x\":1}\n\n".getBytes());

        assertThat(new String(socket.get())).isEqualTo("data: {\"x\":1}\n\n");
    }

    @Test
    void theEndOfTheUpstreamsStreamIsNull() throws Exception {
        upstreamSide.shutdownOutput();

        assertThat(socket.get()).isNull();
    }

    @Test
    void everyKindOfHelidonBufferIsWrittenWholeAndConsumed() throws Exception {
        byte[] big = new byte[3 * ChannelSocket.WRITE_SLICE + 7];
        new Random(3).nextBytes(big);
        BufferData array = BufferData.create(big);
        BufferData slice = BufferData.create(new byte[] {9, 1, 2, 3, 9}, 1, 3);
        BufferData growing = BufferData.growing(4);
        growing.write(new byte[] {4, 5, 6, 7, 8});
        BufferData composite = BufferData.create(BufferData.create(new byte[] {10}), BufferData.create(new byte[] {11}));

        Thread.ofVirtual().start(() -> {
            for (BufferData data : List.of(array, slice, growing, composite)) {
                socket.write(data);
            }
        });
        byte[] expected = concat(big, new byte[] {1, 2, 3}, new byte[] {4, 5, 6, 7, 8}, new byte[] {10, 11});
        byte[] received = readExactly(upstreamSide, expected.length);

        assertThat(received).isEqualTo(expected);
        assertThat(List.of(array, slice, growing, composite)).allSatisfy(data -> assertThat(data.consumed()).isTrue());
    }

    /**
     * The JDK copies each write into a native buffer of that write's size and keeps it for the carrier thread, so the
     * channel must never be handed a whole multi-MB prompt at once.
     */
    @Test
    void aLargeBodyReachesTheChannelInSlicesOfAtMostSixtyFourKiB() throws Exception {
        byte[] prompt = new byte[5 * ChannelSocket.WRITE_SLICE + 123];
        new Random(5).nextBytes(prompt);
        var recording = new WriteRecordingChannel(gatewaySide);
        var sliced = new ChannelSocket(recording, "0x2");

        Thread.ofVirtual().start(() -> sliced.write(BufferData.create(prompt)));
        byte[] received = readExactly(upstreamSide, prompt.length);

        assertThat(received).isEqualTo(prompt);
        assertThat(recording.largestWrite()).isEqualTo(ChannelSocket.WRITE_SLICE);
    }

    @Test
    void aQuietStreamHoldsOnlyTheSmallBufferBetweenChunks() throws Exception {
        writeAll(upstreamSide, new byte[3 * ChannelSocket.SMALL_READ]);
        while (socket.get().length == ChannelSocket.SMALL_READ) {
            // The large answer grows the next read; a short read brings it back to the small buffer.
        }
        writeAll(upstreamSide, "data: 1\n\n".getBytes());
        socket.get();

        // Helidon's NioSocket keeps 16 KiB per connection for its whole life; that is what this class is for.
        long held = 0;
        for (Field field : ChannelSocket.class.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers()) && field.getType() == byte[].class) {
                field.setAccessible(true);
                held += ((byte[]) field.get(socket)).length;
            }
            if (!Modifier.isStatic(field.getModifiers())) {
                assertThat(field.getType()).isNotEqualTo(ByteBuffer.class);
            }
        }
        assertThat(held).isEqualTo(ChannelSocket.SMALL_READ);
    }

    private static void writeAll(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static byte[] readExactly(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                break;
            }
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A real connected channel that remembers the largest buffer it was asked to write. */
    private static final class WriteRecordingChannel extends SocketChannel {
        private final SocketChannel real;
        private final AtomicInteger largest = new AtomicInteger();

        WriteRecordingChannel(SocketChannel real) {
            super(real.provider());
            this.real = real;
        }

        int largestWrite() {
            return largest.get();
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            largest.accumulateAndGet(source.remaining(), Math::max);
            return real.write(source);
        }

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
            throw new UnsupportedOperationException("ChannelSocket writes one buffer at a time");
        }

        @Override
        public int read(ByteBuffer target) throws IOException {
            return real.read(target);
        }

        @Override
        public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
            return real.read(targets, offset, length);
        }

        @Override
        public SocketChannel bind(SocketAddress local) throws IOException {
            real.bind(local);
            return this;
        }

        @Override
        public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
            real.setOption(name, value);
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException {
            return real.getOption(name);
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return real.supportedOptions();
        }

        @Override
        public SocketChannel shutdownInput() throws IOException {
            real.shutdownInput();
            return this;
        }

        @Override
        public SocketChannel shutdownOutput() throws IOException {
            real.shutdownOutput();
            return this;
        }

        @Override
        public Socket socket() {
            return real.socket();
        }

        @Override
        public boolean isConnected() {
            return real.isConnected();
        }

        @Override
        public boolean isConnectionPending() {
            return real.isConnectionPending();
        }

        @Override
        public boolean connect(SocketAddress remote) throws IOException {
            return real.connect(remote);
        }

        @Override
        public boolean finishConnect() throws IOException {
            return real.finishConnect();
        }

        @Override
        public SocketAddress getRemoteAddress() throws IOException {
            return real.getRemoteAddress();
        }

        @Override
        public SocketAddress getLocalAddress() throws IOException {
            return real.getLocalAddress();
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            real.close();
        }

        @Override
        protected void implConfigureBlocking(boolean block) throws IOException {
            real.configureBlocking(block);
        }
    }
}
