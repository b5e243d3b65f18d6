package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.common.buffers.BufferData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
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
        byte[] big = new byte[200_000];
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
}
