package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.domain.classify.Fault;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.http1.Http1ClientResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

    private final Http1ClientResponse response;
    private final Watch watch;
    /** No Content-Length and not chunked: the body ends when the server closes the connection (HTTP/1.0 style). */
    private final boolean endsWithConnection;
    private final long maxBufferedBodyBytes;
    private final InFlightBytes budget;
    private InputStream body;
    private boolean ended;

    /** @throws RuntimeException (with a {@link java.net.ProtocolException} cause) when the framing is ambiguous */
    UpstreamExchange(Http1ClientResponse response, Watch watch, long maxBufferedBodyBytes, InFlightBytes budget) {
        this.response = response;
        this.watch = watch;
        this.maxBufferedBodyBytes = maxBufferedBodyBytes;
        this.budget = budget;
        var headers = response.headers();
        // containsToken splits the values into a new list even when there is no such header (most answers).
        boolean chunked = headers.contains(HeaderNames.TRANSFER_ENCODING)
                && headers.containsToken(HeaderValues.TRANSFER_ENCODING_CHUNKED);
        boolean hasLength = headers.contains(HeaderNames.CONTENT_LENGTH);
        // Both, or several lengths: two parsers could disagree where the body ends (RFC 9112 §6.3 asks to
        // treat it as an error); Helidon would trust Content-Length and read the rest as the next response.
        if ((chunked && hasLength) || (hasLength && headers.get(HeaderNames.CONTENT_LENGTH).allValues().size() > 1)) {
            throw new java.io.UncheckedIOException(
                    new java.net.ProtocolException("upstream response has an ambiguous length"));
        }
        this.endsWithConnection = !hasLength && !chunked;
        if (endsWithConnection || headers.contains(HeaderValues.CONNECTION_CLOSE)) {
            watch.notReusable();
        }
    }

    public int status() {
        return response.status().code();
    }

    public Optional<String> header(String name) {
        return response.headers().first(HeaderNames.create(name));
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
     * Reads the next bytes of the body into {@code buffer[offset, offset + length)} as soon as any arrive. Helidon
     * allocates a buffer of {@code length} bytes for each read: ask for what is expected, not for a large round
     * number.
     *
     * @return the number of bytes read, or -1 at the end of the body
     */
    public int read(byte[] buffer, int offset, int length) throws TransportFailure {
        if (ended) {
            return -1;
        }
        watch.readStarted();
        try {
            int count = body().read(buffer, offset, length);
            if (count < 0) {
                endNormally();
            }
            return count;
        } catch (DataReader.InsufficientDataAvailableException endOfConnection) {
            if (endsWithConnection && watch.ending() == null) {
                ended = true;
                watch.end(WatchEnd.CLOSED);
                return -1;
            }
            throw fail(endOfConnection);
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
        var declared = response.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBufferedBodyBytes) {
            throw fail(Fault.RESPONSE_TOO_LARGE, null);
        }
        long reserved = 0;
        try {
            if (declared.isPresent()) {
                // Twice: the bytes as they arrive, and the array they are copied into at the end.
                reserved = reserve(2 * declared.getAsLong());
                return readDeclared((int) declared.getAsLong());
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
     * of round-number buffers (Helidon's and ours) and a growing stream. Ends with the read that reports the end of
     * the body, so that the connection goes back to the pool.
     */
    private byte[] readDeclared(int length) throws TransportFailure {
        byte[] body = new byte[length];
        int filled = 0;
        int count = 0;
        while (filled < length && (count = read(body, filled, length - filled)) >= 0) {
            filled += count;
        }
        if (count >= 0 && read(new byte[1]) >= 0) {
            // Helidon stops a declared-length body at its length; more would be a bug in that framing.
            throw fail(Fault.RESPONSE_TOO_LARGE, null);
        }
        return filled == length ? body : Arrays.copyOf(body, filled);
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
        // Usually nothing or a last empty chunk is left: small reads, as Helidon allocates the size asked for.
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

    private InputStream body() {
        if (body == null) {
            body = response.entity().inputStream();
        }
        return body;
    }

    private void endNormally() {
        ended = true;
        // Usually already done by Helidon when the entity was fully read; needed for empty bodies.
        response.close();
        // If the response was not reusable (Connection: close), Helidon closed the socket but the watch still runs.
        watch.end(WatchEnd.CLOSED);
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
