package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.adapter.in.http.connection.SocketBody;
import dev.tokenproxy.application.model.BodyBytes;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/** Reads a request body up to a byte limit, refusing early when the declared length already exceeds it. */
final class BoundedBody {

    private BoundedBody() {
    }

    /** What reading the body gave: the bytes, too many bytes, or a body that broke off or was framed wrong. */
    sealed interface Outcome {

        /** The body; when it came from {@link BodyBuffers}, its array goes back there once the request is answered. */
        record Complete(BodyBytes bytes) implements Outcome {
            public Complete {
                Objects.requireNonNull(bytes, "bytes");
            }
        }

        record TooLarge() implements Outcome {
        }

        /** The framing is lost, so the connection cannot carry another request. {@code reason} is safe to send. */
        record Malformed(String reason) implements Outcome {
            public Malformed {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    /** Reads the body into an array of its own. */
    static Outcome read(ServerRequest req, long limit) {
        return read(req, limit, BodyBuffers.none());
    }

    /**
     * Reads the body, a declared length into an array from {@code buffers}; the caller gives a complete body's array
     * back, every other outcome has given it back already.
     */
    static Outcome read(ServerRequest req, long limit, BodyBuffers buffers) {
        var declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > limit) {
            return new Outcome.TooLarge();
        }
        InputStream in = req.content().inputStream();
        byte[] taken = null;
        Outcome outcome = null;
        try {
            if (declared.isPresent()) {
                // Read straight into an array of at least the declared size: no growing buffers to copy a large
                // prompt through.
                int length = (int) declared.getAsLong();
                taken = buffers.take(length);
                int read = straightFromSocket(req) ? SocketBody.read(in, taken, length) : -1;
                if (read < 0) {
                    read = in.readNBytes(taken, 0, length);
                }
                // Reading on to the end is what tells Helidon the entity was consumed and the connection may serve
                // the next request; without it every connection is closed after its answer.
                outcome = read < length || in.read() != -1
                        ? new Outcome.Malformed("the body ended before it was complete")
                        : new Outcome.Complete(BodyBytes.of(taken, length));
                return outcome;
            }
            // Read one byte past the limit: that is how an undeclared (chunked) body shows it is too large.
            byte[] body = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            return body.length > limit ? new Outcome.TooLarge() : new Outcome.Complete(BodyBytes.of(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            return malformed(e);
        } finally {
            if (taken != null && !(outcome instanceof Outcome.Complete)) {
                buffers.give(taken);
            }
        }
    }

    /**
     * Whether the body's bytes on the wire are the body itself, with nothing for Helidon to do between them and us:
     * no {@code 100 Continue} still to send (Helidon sends it when the entity stream is opened, as {@link #read} does
     * first), no content coding to undo.
     */
    private static boolean straightFromSocket(ServerRequest req) {
        return req.continueSent() && !req.headers().contains(HeaderNames.CONTENT_ENCODING);
    }

    /**
     * The one place that knows what Helidon 4.5.0 throws from a request body stream when the client sent a broken
     * body; anything else is rethrown. A connection reset arrives as {@code ServerConnectionException}, which
     * Helidon itself turns into a quiet close, so it is not caught here.
     */
    private static Outcome malformed(RuntimeException e) {
        return switch (e) {
            // Http1Connection.readNextChunk parses the size line with Integer.parseUnsignedInt: "zz", "", "-1".
            case NumberFormatException bad -> new Outcome.Malformed("a chunk size line is not a hexadecimal number");
            // A chunk size of 2^31 or more ("Chunk size is invalid"), or data after the last chunk
            // ("Invalid terminating chunk"); a 413 when Helidon's own max-payload-size is set.
            case RequestException request when request.status().code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code() ->
                    new Outcome.TooLarge();
            case RequestException request -> new Outcome.Malformed("the chunked framing is invalid ("
                    + request.getMessage() + ")");
            // DataReader.readLine, reading a chunk size line, met an LF without its CR or a CR without its LF
            // (RFC 9112 §7.1 asks for CRLF); its message names only a byte offset.
            case DataReader.IncorrectNewLineException badLineEnd ->
                    new Outcome.Malformed("a chunk size line does not end with CRLF");
            // The client closed its side before the declared length or the last chunk arrived.
            case DataReader.InsufficientDataAvailableException ended ->
                    new Outcome.Malformed("the body ended before it was complete");
            default -> throw e;
        };
    }
}
