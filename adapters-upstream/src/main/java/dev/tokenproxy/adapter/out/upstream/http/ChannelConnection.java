package dev.tokenproxy.adapter.out.upstream.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.TlsSocket;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ConnectionKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import javax.net.ssl.SSLSocket;

/**
 * One upstream TCP (or TLS) connection for Helidon's HTTP/1.1 client, built on a {@link SocketChannel} so that the
 * pool can look at it without blocking. Helidon's own {@code TcpClientConnection} can't be used for that: its socket
 * is a plain {@code Socket}, and its idle monitor keeps a byte that arrives while the connection is pooled and hands
 * it to the next request as the start of its response — one client then reads another client's answer.
 *
 * <p>Reads go through an {@link InterimResponseFilter}, so Helidon only ever parses final responses.
 */
final class ChannelConnection implements ClientConnection {

    private static final List<String> ALPN_HTTP_1_1 = List.of("http/1.1");
    private static final int WRITE_BUFFER_BYTES = 4096;

    private final ConnectionKey key;
    private final Predicate<ChannelConnection> release;
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private SocketChannel channel;
    private HelidonSocket socket;
    private InterimResponseFilter filter;
    private DataReader reader;
    private DataWriter writer;
    private String channelId = "not-connected";
    private volatile boolean closed;

    /**
     * @param release asked when Helidon has read a whole response; {@code false} closes the connection instead
     */
    ChannelConnection(ConnectionKey key, Predicate<ChannelConnection> release) {
        this.key = key;
        this.release = release;
    }

    /** Connects (and shakes hands for https) within {@code timeout}; blocking, abortable by {@link #closeResource}. */
    ChannelConnection connect(Duration timeout) {
        InetAddress address;
        try {
            address = key.dnsResolver().resolveAddress(key.host(), key.dnsAddressLookup());
        } catch (IllegalArgumentException unresolved) {
            // Helidon's resolver says "failed to get address" without its cause; name it for what it is.
            var unknown = new java.net.UnknownHostException(key.host());
            unknown.initCause(unresolved);
            throw new UncheckedIOException(unknown);
        }
        var target = new InetSocketAddress(address, key.port());
        try {
            channel = SocketChannel.open();
            channelId = "0x" + HexFormat.of().toHexDigits(System.identityHashCode(channel));
            // Stream chunks are small and latency-bound: no Nagle delay.
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            if (closed) {
                throw new SocketException("closed while connecting");
            }
            channel.socket().connect(target, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            if (key.tls().enabled()) {
                SSLSocket tls = key.tls().createSocket(ALPN_HTTP_1_1, channel.socket(),
                        InetSocketAddress.createUnresolved(key.host(), key.port()));
                tls.startHandshake();
                socket = TlsSocket.client(tls, channelId);
            } else {
                socket = new ChannelSocket(channel, channelId);
            }
        } catch (IOException e) {
            closeResource();
            throw new UncheckedIOException(e);
        }
        filter = new InterimResponseFilter(socket);
        reader = DataReader.create(filter);
        writer = new SocketWriter(socket);
        return this;
    }

    /** The next bytes are the response to a request about to be sent. */
    void expectResponse() {
        filter.expectResponse();
    }

    /**
     * Whether the connection is quiet: nothing buffered past the last response, nothing and no end of stream
     * waiting in the socket. Looks without blocking; a connection that fails the check must not be used again.
     */
    boolean isQuiet() {
        if (closed || !channel.isOpen() || reader.available() > 0 || filter.held() > 0) {
            return false;
        }
        try {
            synchronized (probe) {
                channel.configureBlocking(false);
                try {
                    probe.clear();
                    return channel.read(probe) == 0;
                } finally {
                    channel.configureBlocking(true);
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether Helidon's reader holds bytes it has not handed out (read past the end of a response). */
    boolean hasUnreadBytes() {
        return reader.available() > 0 || filter.held() > 0;
    }

    @Override
    public DataReader reader() {
        return reader;
    }

    @Override
    public DataWriter writer() {
        return writer;
    }

    @Override
    public String channelId() {
        return channelId;
    }

    @Override
    public HelidonSocket helidonSocket() {
        return socket;
    }

    /** Socket read timeout: effective for TLS reads only; the watchdog enforces every real limit. */
    @Override
    public void readTimeout(Duration readTimeout) {
        try {
            channel.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isConnected() {
        return !closed && channel != null && channel.isOpen();
    }

    @Override
    public boolean allowExpectContinue() {
        return false;
    }

    @Override
    public void releaseResource() {
        if (!closed && !release.test(this)) {
            closeResource();
        }
    }

    /** Closes the socket, from any thread: a blocked read or connect fails at once. Idempotent. */
    @Override
    public void closeResource() {
        closed = true;
        SocketChannel current = channel;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // Closed either way.
            }
        }
    }

    /**
     * Collects small writes (the request head) and sends them with the body in as few packets as possible. Its
     * buffer lives from a request's first write to its flush: an open stream or a pooled connection holds none.
     * A write larger than the buffer goes to the socket as it is, after what is held.
     *
     * <p>A plain array rather than Helidon's growing buffer: in Helidon 4.5.0 {@code GrowingBufferData.write(BufferData)}
     * does not count what it wrote, so growing loses it (a head followed by a body that together pass its first size
     * went out as zeros).
     */
    private static final class SocketWriter implements DataWriter {
        private static final int FIRST_BUFFER_BYTES = 1024;
        private final HelidonSocket socket;
        private byte[] buffer;
        private int held;

        SocketWriter(HelidonSocket socket) {
            this.socket = socket;
        }

        @Override
        public void write(BufferData... buffers) {
            for (BufferData data : buffers) {
                write(data);
            }
        }

        @Override
        public void write(BufferData data) {
            int length = data.available();
            if (held + length > WRITE_BUFFER_BYTES) {
                flush();
            }
            if (length > WRITE_BUFFER_BYTES) {
                socket.write(data);
                return;
            }
            if (buffer == null || buffer.length < held + length) {
                int size = Math.max(FIRST_BUFFER_BYTES, Integer.highestOneBit(held + length - 1) << 1);
                buffer = buffer == null ? new byte[size] : Arrays.copyOf(buffer, size);
            }
            held += data.read(buffer, held, length);
        }

        @Override
        public void writeNow(BufferData... buffers) {
            write(buffers);
            flush();
        }

        @Override
        public void writeNow(BufferData data) {
            write(data);
            flush();
        }

        @Override
        public void flush() {
            byte[] bytes = buffer;
            int length = held;
            buffer = null;
            held = 0;
            if (length > 0) {
                socket.write(BufferData.create(bytes, 0, length));
            }
        }
    }
}
