package dev.tokenproxy.adapter.in.http;

import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/** Reads a request body up to a byte limit, refusing early when the declared length already exceeds it. */
final class BoundedBody {

    private BoundedBody() {
    }

    /** The body, or empty when it is larger than {@code limit}. */
    static Optional<byte[]> read(ServerRequest req, long limit) {
        var declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > limit) {
            return Optional.empty();
        }
        try (InputStream in = req.content().inputStream()) {
            // Read one byte past the limit: that is how an undeclared (chunked) body shows it is too large.
            byte[] body = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            return body.length > limit ? Optional.empty() : Optional.of(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
