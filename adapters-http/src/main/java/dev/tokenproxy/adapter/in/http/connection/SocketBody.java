package dev.tokenproxy.adapter.in.http.connection;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Reads a request body of declared length into the caller's array straight from the client's socket, past Helidon's
 * reader (ADR 0019). Helidon reads a connection 8 KiB at a time, into a new array per read, which its entity stream
 * then copies into ours: for a 256 KB prompt, 32 reads with the guard's bookkeeping each, 32 arrays for the collector
 * and two copies of every byte on top of the JDK's own (docs/benchmark.md, twelfth pass). Here the bytes Helidon's
 * reader already holds are taken through its entity stream as before, and the rest is read from the socket in
 * pieces of up to {@value #MOST_PER_READ} bytes, never past the body's end.
 *
 * <p>Helidon counts the entity bytes it handed on, and reads the rest of an entity the handler left before it parses
 * the next request. The bytes read here are added to that count, a private field of its HTTP/1.1 connection reached
 * once by reflection; when it cannot be reached (another Helidon), or the connection has no plain socket to read
 * (TLS), {@link #read} declines and the caller reads through the entity stream.
 */
public final class SocketBody {

    /** Large enough that a 256 KB prompt takes two reads, small enough for the JDK's per-carrier I/O buffer. */
    static final int MOST_PER_READ = 128 * 1024;

    /** The connection whose request the current thread handles; Helidon runs each on its connection's thread. */
    private static final ThreadLocal<GuardedContext> CURRENT = new ThreadLocal<>();

    /** {@code Http1Connection.currentEntitySizeRead}: the entity bytes Helidon has handed on for this request. */
    private static final VarHandle ENTITY_READ = entityReadCount();

    private SocketBody() {
    }

    /**
     * Reads the current request's body, declared as {@code length} bytes, into {@code into[0, length)}: what Helidon
     * holds through {@code entity}, the rest from the socket. Nothing may have been read from {@code entity} before:
     * the split between the two counts on every byte of the body being either in Helidon's reader or in the socket.
     *
     * @return the bytes read, fewer than {@code length} when the client ended the stream early; or -1, having read
     *         nothing, when this connection's body cannot be read this way
     */
    public static int read(InputStream entity, byte[] into, int length) throws IOException {
        GuardedContext context = CURRENT.get();
        if (context == null) {
            return -1;
        }
        int held = Math.min(context.buffered(), length);
        int read = entity.readNBytes(into, 0, held);
        if (read < held) {
            return read;
        }
        while (read < length) {
            int got = context.readFromSocket(into, read, Math.min(length - read, MOST_PER_READ));
            if (got < 0) {
                break;
            }
            read += got;
        }
        ENTITY_READ.getAndAdd(context.connection().http1(), (long) (read - held));
        return read;
    }

    /**
     * The current thread handles the requests of {@code context}'s connection from here on; ignored when their bodies
     * cannot be read from its socket.
     */
    static void enter(GuardedContext context) {
        if (context != null && context.socketReadable() && ENTITY_READ != null
                && ENTITY_READ.coordinateTypes().getFirst().isInstance(context.connection().http1())) {
            CURRENT.set(context);
        }
    }

    static void leave() {
        CURRENT.remove();
    }

    /** Whether this Helidon's count of entity bytes was found; without it {@link #read} always declines. */
    static boolean available() {
        return ENTITY_READ != null;
    }

    private static VarHandle entityReadCount() {
        try {
            Class<?> http1 = Class.forName("io.helidon.webserver.http1.Http1Connection");
            return MethodHandles.privateLookupIn(http1, MethodHandles.lookup())
                    .findVarHandle(http1, "currentEntitySizeRead", long.class);
        } catch (ReflectiveOperationException | RuntimeException unreachable) {
            return null;
        }
    }
}
