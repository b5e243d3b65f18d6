package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.application.model.BodyBytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One upstream TCP (or TLS) connection, built on a {@link SocketChannel} so that the pool can look at it without
 * blocking and the watchdog can close it from another thread: a blocked connect, write or read then fails at once.
 * It sends whole requests and hands its received bytes to the response parser through a {@link ConnectionInput}.
 */
final class ChannelConnection {

    /**
     * The most handed to the channel in one call. The JDK copies a heap buffer into a temporary native buffer of the
     * size of the call and keeps that buffer for the carrier thread: a 19 MB prompt written (or a 16 MB answer read)
     * in one call would leave that much native memory behind on every carrier thread that ever did it.
     */
    static final int IO_SLICE = 64 * 1024;
    /** A head and body up to this size go to TLS as one array: one record instead of two. */
    private static final int TLS_JOIN_BYTES = 16 * 1024;
    private static final String[] ALPN_HTTP_1_1 = {"http/1.1"};

    private final Endpoint endpoint;
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private SocketChannel channel;
    private SSLSocket tls;
    private InputStream tlsIn;
    private OutputStream tlsOut;
    private ConnectionInput input;
    /** The next read is the first of an answer ({@link #awaitAnswer}). */
    private boolean answerPending;
    /** Until when ({@link System#nanoTime()}) that read polls before it parks; 0 for not at all. */
    private long pollUntil;
    private volatile boolean closed;

    ChannelConnection(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Connects (and shakes hands for https, verifying the certificate and its host name) within {@code timeout};
     * blocking, abortable by {@link #close()}.
     *
     * @param sslContext the trust for https endpoints
     */
    ChannelConnection connect(Duration timeout, SSLContext sslContext) throws IOException {
        InetAddress address = InetAddress.getByName(endpoint.bareHost());
        try {
            channel = SocketChannel.open();
            // Stream chunks are small and latency-bound: no Nagle delay.
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            if (closed) {
                throw new SocketException("closed while connecting");
            }
            channel.socket().connect(new InetSocketAddress(address, endpoint.port()),
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            if (endpoint.tls()) {
                tls = handshake(sslContext);
                tlsIn = tls.getInputStream();
                tlsOut = tls.getOutputStream();
                input = new ConnectionInput(tlsIn::read);
            } else {
                input = new ConnectionInput(this::readChannel);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    private SSLSocket handshake(SSLContext sslContext) throws IOException {
        var socket = (SSLSocket) sslContext.getSocketFactory()
                .createSocket(channel.socket(), endpoint.bareHost(), endpoint.port(), true);
        var parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setApplicationProtocols(ALPN_HTTP_1_1);
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** The bytes received and not yet parsed. */
    ConnectionInput input() {
        return input;
    }

    /** Sends a request: its head, then its body (null for none), in as few writes as the limits allow. */
    void send(byte[] head, BodyBytes body) throws IOException {
        byte[] bodyArray = body == null ? null : body.array();
        int bodyLength = body == null ? 0 : body.length();
        if (tls != null) {
            if (head.length + bodyLength <= TLS_JOIN_BYTES) {
                byte[] joined = java.util.Arrays.copyOf(head, head.length + bodyLength);
                if (bodyLength > 0) {
                    System.arraycopy(bodyArray, 0, joined, head.length, bodyLength);
                }
                tlsOut.write(joined);
            } else {
                tlsOut.write(head);
                tlsOut.write(bodyArray, 0, bodyLength);
            }
            tlsOut.flush();
            return;
        }
        writeSliced(channel, head, bodyArray, bodyLength);
    }

    /**
     * Writes a head and a body (null for none) to a blocking channel: one gathering write for the head and the body's
     * first slice, so that a small request is one packet, then the rest in slices of at most {@value #IO_SLICE}.
     */
    static void writeSliced(GatheringByteChannel channel, byte[] head, byte[] body, int bodyLength) throws IOException {
        ByteBuffer first = ByteBuffer.wrap(head);
        ByteBuffer bodySlice = ByteBuffer.wrap(body == null ? head : body, 0,
                Math.min(bodyLength, Math.max(0, IO_SLICE - head.length)));
        ByteBuffer[] pair = {first, bodySlice};
        while (first.hasRemaining() || bodySlice.hasRemaining()) {
            channel.write(pair);
        }
        for (int at = bodySlice.position(); at < bodyLength; ) {
            ByteBuffer slice = ByteBuffer.wrap(body, at, Math.min(IO_SLICE, bodyLength - at));
            while (slice.hasRemaining()) {
                channel.write(slice);
            }
            at = slice.position();
        }
    }

    /**
     * Prepares the first read of the answer to a request just sent. With {@code pollNanos} above zero (nothing else
     * runs, the upstream answers fast; see {@link AnswerPolling}) it polls the socket for up to that long before it
     * parks. Plain connections only: TLS reads go through the JDK's {@code SSLSocket}.
     */
    void awaitAnswer(long pollNanos) {
        answerPending = tls == null && pollNanos > 0;
        pollUntil = answerPending ? System.nanoTime() + pollNanos : 0;
    }

    private int readChannel(byte[] into, int offset, int length) throws IOException {
        if (answerPending) {
            answerPending = false;
            int read = poll(into, offset, length, pollUntil);
            if (read != 0) {
                return read;
            }
        }
        return readSlice(channel, into, offset, length);
    }

    /** Non-blocking reads until bytes (or the end) arrive or {@code until} passes, yielding to any other thread. */
    private int poll(byte[] into, int offset, int length, long until) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(into, offset, Math.min(length, IO_SLICE));
        channel.configureBlocking(false);
        try {
            do {
                int read = channel.read(target);
                if (read != 0) {
                    return read;
                }
                Thread.yield();
            } while (System.nanoTime() - until < 0);
            return 0;
        } finally {
            channel.configureBlocking(true);
        }
    }

    /** A blocking read of at most {@value #IO_SLICE} bytes, however many are asked for. */
    static int readSlice(ReadableByteChannel channel, byte[] into, int offset, int length) throws IOException {
        int read = channel.read(ByteBuffer.wrap(into, offset, Math.min(length, IO_SLICE)));
        if (read == 0) {
            throw new IllegalStateException("a blocking read returned no bytes");
        }
        return read;
    }

    /**
     * Whether the connection is quiet: nothing buffered past the last response, nothing and no end of stream
     * waiting in the socket. Looks without blocking; a connection that fails the check must not be used again.
     */
    boolean isQuiet() {
        if (closed || !channel.isOpen() || input.buffered() > 0) {
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

    /** Socket read timeout: effective for TLS reads only (a channel's reads ignore it); a backstop to the watchdog. */
    void readTimeout(Duration timeout) throws SocketException {
        if (tls != null) {
            tls.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        }
    }

    boolean isConnected() {
        return !closed && channel != null && channel.isOpen();
    }

    /** Closes the socket, from any thread: a blocked read, write or connect fails at once. Idempotent. */
    void close() {
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
}
