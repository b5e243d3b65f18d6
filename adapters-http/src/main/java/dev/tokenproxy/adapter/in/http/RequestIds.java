package dev.tokenproxy.adapter.in.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerResponse;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id and every response its {@code x-request-id}: the client's own when it sent a usable one
 * (so one id follows the request through the client's logs and ours), else a new one. The id is a label the client
 * chose, so it is checked before it reaches our log lines: short, and only characters that cannot forge a line.
 */
final class RequestIds implements Filter {

    static final String HEADER = "x-request-id";
    private static final HeaderName HEADER_NAME = HeaderNames.create(HEADER);
    private static final Pattern USABLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String id = req.headers().first(HEADER_NAME)
                .filter(value -> USABLE.matcher(value).matches())
                .orElseGet(RequestIds::newId);
        res.header(HEADER_NAME, id);
        chain.proceed();
    }

    /**
     * The id the filter gave the request {@code res} answers, read back from the response's header rather than kept
     * in the request's Helidon context: made on first use, that context's own id text was ~1% of a small request's
     * CPU (benchmark.md, seventh pass). A new id for a response the filter did not see (a test's handler).
     */
    static String of(ServerResponse res) {
        return res.headers().first(HEADER_NAME).orElseGet(RequestIds::newId);
    }

    /**
     * The time in milliseconds, then 48 random bits: ids that sort by creation time. The record store indexes requests
     * by id, and random ids scattered every insert over the whole index (about 20 µs a record, more than the rest of
     * a request); ids that grow are appended. An id is a label, not a secret, so a fast random source serves.
     */
    static String newId() {
        return idAt(System.currentTimeMillis());
    }

    static String idAt(long epochMillis) {
        long millis = epochMillis & 0xFFFF_FFFF_FFFFL;
        long random = ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL;
        return "req_" + HexFormat.of().toHexDigits(millis).substring(4) + HexFormat.of().toHexDigits(random).substring(4);
    }
}
