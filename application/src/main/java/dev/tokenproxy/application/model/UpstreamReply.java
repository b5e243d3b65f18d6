package dev.tokenproxy.application.model;

import java.util.Map;
import java.util.Objects;

/**
 * What an upstream adapter hands back for delivery, already post-processed into the inbound format.
 * Bodies stay opaque bytes: the core never parses them.
 */
public sealed interface UpstreamReply {

    int status();

    /** Response headers worth passing to the client (content type, request ids, Retry-After). */
    Map<String, String> headers();

    /** A complete body. */
    record Buffered(int status, Map<String, String> headers, byte[] body) implements UpstreamReply {
        public Buffered {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }
    }

    /**
     * A stream whose first output has already been read and committed to: from here on it is never replayed.
     * The client must pull it to the end or close it.
     */
    record Streaming(int status, Map<String, String> headers, ReplyStream stream) implements UpstreamReply {
        public Streaming {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(stream, "stream");
        }
    }
}
