package dev.tokenproxy.adapter.in.http.connection;

import dev.tokenproxy.application.port.out.CarrierTurns;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Helidon's connection context with one change: the HTTP/1.1 connection reads the socket through a reader that
 * tells the {@link GuardedConnection} when a read starts and what it returned. Helidon's own reader for the
 * connection has not read a byte at this point (with one connection selector, Helidon skips the identification
 * read), so nothing is lost by reading the socket through a reader of our own.
 */
final class GuardedContext implements ConnectionContext {

    private final ConnectionContext helidon;
    private final GuardedConnection connection;
    private final DataReader reader;
    /**
     * The plain socket's incoming bytes under Helidon's, to look for the next request in before parking and to read a
     * large body from ({@link SocketBody}); null when they cannot be seen (TLS).
     */
    private final InputStream socketIn;
    private final ConsumedChunks consumed = new ConsumedChunks();
    private final CarrierTurns turns;

    GuardedContext(ConnectionContext helidon, GuardedConnection connection, CarrierTurns turns) {
        this.helidon = helidon;
        this.connection = connection;
        this.turns = turns;
        this.reader = DataReader.create(this::read);
        this.socketIn = NextRequestPolling.pollable(helidon.serverSocket());
    }

    GuardedConnection connection() {
        return connection;
    }

    private byte[] read() {
        consumed.cut(reader);
        if (connection.readStarting()) {
            // Between requests: a flood of requests answered without an upstream would otherwise keep new connections
            // out for as long as it lasts (ADR 0023).
            turns.betweenRequests();
            // Only for the one client there is: then the core has nothing else to do.
            if (socketIn != null && connection.alone()) {
                NextRequestPolling.await(socketIn, NextRequestPolling.WINDOW_NANOS);
            }
        }
        byte[] bytes;
        try {
            bytes = helidon.serverSocket().get();
        } catch (UncheckedIOException e) {
            connection.readFailed();
            // The same mapping as Helidon's own reader: a failed socket ends the connection quietly.
            throw new ServerConnectionException("Failed to get data from socket", e);
        } catch (RuntimeException e) {
            connection.readFailed();
            throw e;
        }
        connection.readReturned(bytes);
        return bytes;
    }

    /** Whether {@link #readFromSocket} can read this connection's socket (a plain one, not TLS). */
    boolean socketReadable() {
        return socketIn != null;
    }

    /** How many bytes Helidon's reader holds that it has not handed on yet. */
    int buffered() {
        return reader.available();
    }

    /**
     * Reads up to {@code length} bytes from the socket into {@code into}, past Helidon's reader, with the same
     * bookkeeping for the guard and the same failures as {@link #read()}: the bytes read, or -1 at the end of the
     * stream. Only for bytes the reader must never see, after every byte it holds has been handed on.
     */
    int readFromSocket(byte[] into, int offset, int length) {
        connection.readStarting();
        int read;
        try {
            read = socketIn.read(into, offset, length);
        } catch (IOException e) {
            connection.readFailed();
            throw new ServerConnectionException("Failed to get data from socket", e);
        } catch (RuntimeException e) {
            connection.readFailed();
            throw e;
        }
        connection.readReturned(read >= 0);
        return read;
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public ListenerContext listenerContext() {
        return helidon.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return helidon.executor();
    }

    @Override
    public DataWriter dataWriter() {
        return helidon.dataWriter();
    }

    @Override
    public Router router() {
        return helidon.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return helidon.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return helidon.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return helidon.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return helidon.localPeer();
    }

    @Override
    public boolean isSecure() {
        return helidon.isSecure();
    }

    @Override
    public String socketId() {
        return helidon.socketId();
    }

    @Override
    public String childSocketId() {
        return helidon.childSocketId();
    }
}
