package dev.tokenproxy.adapter.out.upstream.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.CompositeBufferData;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.Principal;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.Optional;

/**
 * A plain upstream connection's socket that keeps its buffers small. Helidon's {@code NioSocket} holds a fixed 8 KiB
 * read buffer and a fixed 8 KiB write buffer for as long as the connection lives: 16 KiB for every open stream and
 * every pooled connection, most of a slow stream's heap. Here reads go through a {@value #SMALL_READ}-byte array,
 * which holds a stream's chunk or a small answer, and writes go to the channel straight from the bytes they are given.
 *
 * <p>A read that fills the small array makes the next one read into a fresh array of twice the size, up to
 * {@value #LARGE_READ}, so that a large answer is read in few calls; such an array is handed on as it is.
 */
final class ChannelSocket implements HelidonSocket {

    static final int SMALL_READ = 2048;
    static final int LARGE_READ = 64 * 1024;
    /**
     * The most handed to the channel in one write. The JDK copies a heap buffer into a temporary native buffer of the
     * size of the write and keeps that buffer for the carrier thread: a 19 MB prompt written in one call would leave
     * 19 MB of native memory behind on every carrier thread that ever wrote one, and after a partial write the rest
     * is copied again whole.
     */
    static final int WRITE_SLICE = 64 * 1024;

    private final SocketChannel channel;
    private final String channelId;
    private final OutputStream out = new ChannelOutput();
    private byte[] small;
    private int nextRead = SMALL_READ;

    ChannelSocket(SocketChannel channel, String channelId) {
        this.channel = channel;
        this.channelId = channelId;
    }

    /** The next bytes from the upstream, or {@code null} at its end of stream; blocks (parks) until there are some. */
    @Override
    public byte[] get() {
        boolean large = nextRead > SMALL_READ;
        if (!large && small == null) {
            small = new byte[SMALL_READ];
        }
        byte[] into = large ? new byte[nextRead] : small;
        int read;
        try {
            read = channel.read(ByteBuffer.wrap(into));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (read < 0) {
            return null;
        }
        if (read == 0) {
            throw new IllegalStateException("a blocking read returned no bytes");
        }
        boolean full = read == into.length;
        nextRead = full ? Math.min(LARGE_READ, into.length * 2) : SMALL_READ;
        return large && full ? into : Arrays.copyOf(into, read);
    }

    @Override
    public void write(BufferData data) {
        if (data instanceof CompositeBufferData) {
            // A composite writes a copy of itself to a stream and stays unread; copy it once and consume it here.
            byte[] bytes = new byte[data.available()];
            data.read(bytes);
            writeFully(bytes, 0, bytes.length);
        } else {
            data.writeTo(out);
        }
    }

    /** @deprecated Helidon's own deprecated read; the client reads through {@link #get()}. */
    @Deprecated
    @Override
    public int read(BufferData buffer) {
        byte[] bytes = get();
        if (bytes == null) {
            return -1;
        }
        buffer.write(bytes);
        return bytes.length;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void idle() {
        // Pooled connections are watched by the pool (ChannelConnection.isQuiet), not by the socket.
    }

    @Override
    public boolean isConnected() {
        return channel.isOpen();
    }

    @Override
    public boolean isSecure() {
        return false;
    }

    @Override
    public String socketId() {
        return "client";
    }

    @Override
    public String childSocketId() {
        return channelId;
    }

    @Override
    public PeerInfo remotePeer() {
        try {
            return new Peer(channel.getRemoteAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public PeerInfo localPeer() {
        try {
            return new Peer(channel.getLocalAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeFully(byte[] bytes, int offset, int length) {
        try {
            int end = offset + length;
            for (int at = offset; at < end; ) {
                ByteBuffer slice = ByteBuffer.wrap(bytes, at, Math.min(WRITE_SLICE, end - at));
                while (slice.hasRemaining()) {
                    channel.write(slice);
                }
                at = slice.position();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What Helidon's buffers write themselves to: their own array, wrapped, with no copy on our side. */
    private final class ChannelOutput extends OutputStream {
        @Override
        public void write(int b) {
            writeFully(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            writeFully(bytes, offset, length);
        }
    }

    private record Peer(SocketAddress address) implements PeerInfo {
        @Override
        public String host() {
            return address instanceof InetSocketAddress inet ? inet.getHostString() : String.valueOf(address);
        }

        @Override
        public int port() {
            return address instanceof InetSocketAddress inet ? inet.getPort() : -1;
        }

        @Override
        public Optional<Principal> tlsPrincipal() {
            return Optional.empty();
        }

        @Override
        public Optional<Certificate[]> tlsCertificates() {
            return Optional.empty();
        }
    }
}
