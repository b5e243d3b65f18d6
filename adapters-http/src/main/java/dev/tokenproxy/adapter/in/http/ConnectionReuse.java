package dev.tokenproxy.adapter.in.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicReference;

/**
 * After each response, decides whether the connection may carry another request, and closes it when not.
 * <p>
 * Helidon 4.5.0 makes two choices we cannot accept at an edge that holds upstream credits. It answers a client's
 * {@code Connection: close} with that header and then waits for the next request anyway. And when a handler
 * refused a request without reading its body (a 401, a 413 on the declared length), it reads and discards the
 * whole remaining body to keep the connection alive: {@code Content-Length: 40000000000} without a key made it read
 * 40 GB. Here an unread remainder is discarded only up to {@link #DISCARD_LIMIT}; beyond that the connection is
 * closed. Closing is done by throwing Helidon's {@link CloseConnectionException} after the response is written:
 * Http1Connection lets it escape its request loop and ConnectionHandler then closes the socket, logging at TRACE.
 */
final class ConnectionReuse implements Filter {

    /**
     * What we still read from a refused body so that a small one leaves the connection usable (and the client is not
     * answered with a TCP reset while its last bytes are in flight). 64 KiB is the default socket receive buffer
     * order of magnitude: about what has already arrived anyway.
     */
    static final int DISCARD_LIMIT = 64 * 1024;

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        // The handler may have opened the body stream already; Helidon allows one stream per request.
        var opened = new AtomicReference<InputStream>();
        req.streamFilter(in -> {
            opened.set(in);
            return in;
        });
        chain.proceed();
        if (!reusable(req, res, opened)) {
            throw new CloseConnectionException("connection closed after the response, not reused");
        }
    }

    private static boolean reusable(RoutingRequest req, RoutingResponse res, AtomicReference<InputStream> opened) {
        if (hasToken(req.headers(), HeaderValues.CONNECTION_CLOSE)
                || hasToken(res.headers(), HeaderValues.CONNECTION_CLOSE)) {
            return false;
        }
        if (req.content().consumed()) {
            return true;
        }
        // The client waits for "100 Continue" before it sends the body; opening the stream now would invite it.
        if (opened.get() == null && hasToken(req.headers(), HeaderValues.EXPECT_100)) {
            return false;
        }
        var declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > DISCARD_LIMIT) {
            return false;
        }
        InputStream body = opened.get() != null ? opened.get() : req.content().inputStream();
        try {
            body.readNBytes(DISCARD_LIMIT + 1);
        } catch (IOException | RuntimeException brokenOrGone) {
            return false;
        }
        return req.content().consumed();
    }

    /**
     * Whether a comma-separated header holds {@code token} (case-insensitive), like {@link Headers#containsToken},
     * which builds a stream and a list of every value's tokens on each call, even with no such header. Asked three
     * times per request, and Helidon answers every response with {@code Connection: keep-alive}: ~2% of a small
     * request's CPU (benchmark.md, seventh pass). Quoted strings need no care here: neither header has them.
     */
    static boolean hasToken(Headers headers, Header token) {
        if (!headers.contains(token.headerName())) {
            return false;
        }
        String wanted = token.get();
        for (String list : headers.get(token.headerName()).allValues()) {
            if (listHolds(list, wanted)) {
                return true;
            }
        }
        return false;
    }

    private static boolean listHolds(String list, String wanted) {
        int start = 0;
        while (start <= list.length()) {
            int end = list.indexOf(',', start);
            end = end < 0 ? list.length() : end;
            int from = start;
            int to = end;
            while (from < to && Character.isWhitespace(list.charAt(from))) {
                from++;
            }
            while (to > from && Character.isWhitespace(list.charAt(to - 1))) {
                to--;
            }
            if (to - from == wanted.length() && list.regionMatches(true, from, wanted, 0, wanted.length())) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
