package dev.tokenproxy.adapter.out.upstream.http;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.http1.Http1ClientResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * One request whose response headers have arrived; the body is read by the thread that owns the exchange.
 * Every read is bounded by the exchange's {@link ExchangeLimits}. Reading to the end returns the connection to the
 * pool; anything else ({@link #close()} before the end, a failure) closes it.
 */
public final class UpstreamExchange implements AutoCloseable {

    private static final int READ_BUFFER_BYTES = 8 * 1024;

    private final Http1ClientResponse response;
    private final Watch watch;
    /** No Content-Length and not chunked: the body ends when the server closes the connection (HTTP/1.0 style). */
    private final boolean endsWithConnection;
    private InputStream body;
    private boolean ended;

    UpstreamExchange(Http1ClientResponse response, Watch watch) {
        this.response = response;
        this.watch = watch;
        this.endsWithConnection = !response.headers().contains(HeaderNames.CONTENT_LENGTH)
                && !response.headers().containsToken(HeaderValues.TRANSFER_ENCODING_CHUNKED);
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
        if (ended) {
            return -1;
        }
        watch.readStarted();
        try {
            int count = body().read(buffer, 0, buffer.length);
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

    /** Reads the rest of the body. */
    public byte[] readBody() throws TransportFailure {
        var all = new ByteArrayOutputStream();
        byte[] buffer = new byte[READ_BUFFER_BYTES];
        int count;
        while ((count = read(buffer)) >= 0) {
            all.write(buffer, 0, count);
        }
        return all.toByteArray();
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

    private TransportFailure fail(Exception e) {
        var failure = new TransportFailure(TransportFaults.of(e, watch), e);
        ended = true;
        watch.end(WatchEnd.CLOSED);
        return failure;
    }
}
