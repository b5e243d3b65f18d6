package dev.tokenproxy.adapter.in.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Gives every request an id and every response its {@code x-request-id}: the client's own when it sent a usable one
 * (so one id follows the request through the client's logs and ours), else a new one. The id is a label the client
 * chose, so it is checked before it reaches our log lines: short, and only characters that cannot forge a line.
 */
final class RequestIds implements Filter {

    static final String HEADER = "x-request-id";
    private static final Pattern USABLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The id of one request, kept in its context for the handlers. */
    record RequestId(String value) {
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String id = req.headers().first(io.helidon.http.HeaderNames.create(HEADER))
                .filter(value -> USABLE.matcher(value).matches())
                .orElseGet(RequestIds::newId);
        req.context().register(new RequestId(id));
        res.header(HEADER, id);
        chain.proceed();
    }

    /** The id the filter gave {@code req}, or a new one for a request that did not pass it (a test's handler). */
    static String of(ServerRequest req) {
        return req.context().get(RequestId.class).map(RequestId::value).orElseGet(RequestIds::newId);
    }

    private static String newId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return "req_" + HexFormat.of().formatHex(bytes);
    }
}
