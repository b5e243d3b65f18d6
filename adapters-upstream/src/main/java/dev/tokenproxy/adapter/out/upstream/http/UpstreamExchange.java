package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.domain.classify.Fault;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.Arrays;
import java.util.Optional;

/**
 * One request whose response headers have arrived; the body is read by the thread that owns the exchange.
 * Every read is bounded by the exchange's {@link ExchangeLimits}. Reading to the end returns the connection to the
 * pool; anything else ({@link #close()} before the end, a failure) closes it.
 */
public final class UpstreamExchange implements AutoCloseable {

    private static final int READ_BUFFER_BYTES = 8 * 1024;
    private static final int FINISH_READ_BYTES = 512;
    /** What {@link #finish()} reads at most after a stream's logical end: the chunked terminator and little else. */
    private static final int FINISH_MAX_BYTES = 16 * 1024;
    private static final long FINISH_MAX_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(250);

    private final ResponseHead head;
    private final ResponseBody body;
    private final PooledConnection connection;
    private final Watch watch;
    private final long maxBufferedBodyBytes;
    private final InFlightBytes budget;
    private boolean ended;

    /** @throws ProtocolException when the body's framing is ambiguous or malformed */
    UpstreamExchange(ResponseHead head, PooledConnection connection, Watch watch, long maxBufferedBodyBytes,
                     InFlightBytes budget) throws ProtocolException {
        this.head = head;
        this.body = ResponseBody.of(head, connection.connection().input());
        this.connection = connection;
        this.watch = watch;
        this.maxBufferedBodyBytes = maxBufferedBodyBytes;
        this.budget = budget;
        if (body.endsWithConnection() || !head.http11() || head.headers().hasToken("Connection", "close")) {
            watch.notReusable();
        }
    }

    public int status() {
        return head.status();
    }

    /** The first value of the response header {@code name} (in any case). */
    public Optional<String> header(String name) {
        return head.headers().first(name);
    }

    /** The caller saw its first output: from now on only the idle limit and the deadline apply. */
    public void outputStarted() {
        watch.outputSeen();
    }

    /**
     * Reads the next bytes of the body as soon as any arrive.
     *
     * @return the number of bytes read, or -1 at the end of the body
     */
    public int read(byte[] buffer) throws TransportFailure {
        return read(buffer, 0, buffer.length);
    }

    /**
     * Reads the next bytes of the body into {@code buffer[offset, offset + length)} as soon as any arrive. A read that
     * asks for at least 2 KiB while nothing is buffered goes straight from the socket into {@code buffer}.
     *
     * @return the number of bytes read, or -1 at the end of the body
     */
    public int read(byte[] buffer, int offset, int length) throws TransportFailure {
        if (ended) {
            return -1;
        }
        watch.readStarted();
        try {
            int count = body.read(buffer, offset, length);
            if (count < 0) {
                if (watch.ending() != null) {
                    // A close by the watchdog can look like the end of a body that runs to the end of the connection.
                    throw new java.io.EOFException("the exchange was aborted");
                }
                endNormally();
            }
            return count;
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        } finally {
            watch.readEnded();
        }
    }

    /**
     * Reads the rest of the body, up to the client's buffering limit and within the gateway's budget of bytes in
     * flight (counted while the body is being received).
     *
     * @throws TransportFailure with {@link Fault#RESPONSE_TOO_LARGE} when the body is (or declares to be) larger
     *                          than the limit, with {@link Fault#GATEWAY_OVERLOADED} when the budget is spent; the
     *                          connection is closed then, so memory stays flat whatever the upstream sends
     */
    public byte[] readBody() throws TransportFailure {
        long declared = body.declaredLength();
        if (declared > maxBufferedBodyBytes) {
            throw fail(Fault.RESPONSE_TOO_LARGE, null);
        }
        long reserved = 0;
        try {
            if (declared >= 0) {
                // Twice: the bytes as they arrive, and the array they are copied into at the end.
                reserved = reserve(2 * declared);
                return readDeclared((int) declared);
            }
            var all = new ByteArrayOutputStream(READ_BUFFER_BYTES);
            byte[] buffer = new byte[READ_BUFFER_BYTES];
            int count;
            while ((count = read(buffer)) >= 0) {
                if (all.size() + (long) count > maxBufferedBodyBytes) {
                    throw fail(Fault.RESPONSE_TOO_LARGE, null);
                }
                if (2L * (all.size() + count) > reserved) {
                    reserved += reserve(2L * (all.size() + count) - reserved);
                }
                all.write(buffer, 0, count);
            }
            return all.toByteArray();
        } finally {
            budget.release(reserved);
        }
    }

    /**
     * A body of a declared length, read straight into an array of that length: one copy from the connection, instead
     * of round-number buffers and a growing stream. Ends with the read that reports the end of
     * the body, so that the connection goes back to the pool.
     */
    private byte[] readDeclared(int length) throws TransportFailure {
        byte[] bytes = new byte[length];
        int filled = 0;
        int count = 0;
        while (filled < length && (count = read(bytes, filled, length - filled)) >= 0) {
            filled += count;
        }
        if (count >= 0 && read(new byte[1]) >= 0) {
            // A declared-length body stops at its length; more would be a bug in that framing.
            throw fail(Fault.RESPONSE_TOO_LARGE, null);
        }
        return filled == length ? bytes : Arrays.copyOf(bytes, filled);
    }

    /** Takes {@code bytes} from the budget, or fails the exchange. */
    private long reserve(long bytes) throws TransportFailure {
        if (!budget.tryReserve(bytes)) {
            throw fail(Fault.GATEWAY_OVERLOADED, null);
        }
        return bytes;
    }

    /**
     * After the caller has everything it wants (a stream's last event), reads what little is left of the body so
     * the connection can be reused; gives up and closes it past a few KiB or a fraction of a second.
     */
    public void finish() {
        if (ended) {
            return;
        }
        watch.shortenDeadline(FINISH_MAX_NANOS);
        // Usually nothing or a last empty chunk is left.
        byte[] buffer = new byte[FINISH_READ_BYTES];
        long total = 0;
        try {
            int count;
            while ((count = read(buffer)) >= 0) {
                total += count;
                if (total > FINISH_MAX_BYTES) {
                    abort();
                    return;
                }
            }
        } catch (TransportFailure alreadyClosed) {
            // Closed by the failure: nothing to reuse.
        }
    }

    /**
     * Closes the connection now, from any thread: a blocked {@link #read} fails at once. For a body the caller no
     * longer wants (the client left, the stream already ended logically). Idempotent.
     */
    public void abort() {
        watch.end(WatchEnd.CLOSED);
    }

    /** Ends the exchange: a fully read one has already given its connection back, any other is aborted. */
    @Override
    public void close() {
        abort();
    }

    private void endNormally() {
        ended = true;
        connection.release();
    }

    private TransportFailure fail(Fault fault, Exception e) {
        var failure = new TransportFailure(fault, e);
        ended = true;
        watch.end(WatchEnd.CLOSED);
        return failure;
    }

    private TransportFailure fail(Exception e) {
        var failure = new TransportFailure(TransportFaults.of(e, watch), e);
        ended = true;
        watch.end(WatchEnd.CLOSED);
        return failure;
    }
}
