package dev.tokenproxy.adapter.out.upstream.format.openai;

import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP conventions every OpenAI-style API shares (Chat Completions, Responses): bearer auth with the proxy's own
 * credential, JSON in, the few response headers worth passing on, and the gateway's own 503 in the OpenAI shape.
 */
public final class OpenAiWire {

    /** Response headers worth passing on: how to read the body, which request it was, when to come back. */
    private static final List<String> FORWARDED_HEADERS = List.of("content-type", "retry-after");
    /**
     * The upstream's id of the request, for a support ticket with its provider; renamed because the client's
     * {@code x-request-id} is the gateway's own id, the one its log lines carry.
     */
    public static final String UPSTREAM_REQUEST_ID = "x-upstream-request-id";

    private static final byte[] OVERLOADED_BODY = ("{\"error\":{\"message\":\"The gateway is at its limit of bytes "
            + "in flight; retry shortly.\",\"type\":\"api_error\",\"param\":null,\"code\":\"gateway_overloaded\"}}")
            .getBytes(StandardCharsets.UTF_8);

    private OpenAiWire() {
    }

    /**
     * The endpoints made so far. Parsing a URI took ~2.5% of a small request's CPU; the set of base URLs is the
     * configuration's, so the map stays small (and is emptied, not grown, if something keeps making new ones).
     */
    private static final Map<Endpoint, URI> ENDPOINTS = new ConcurrentHashMap<>();
    private static final int MAX_ENDPOINTS = 1024;

    private record Endpoint(URI baseUrl, String path) {
    }

    /** {@code {base_url}/{path}}, whether or not the configured base ends with a slash. */
    public static URI endpoint(URI baseUrl, String path) {
        var key = new Endpoint(baseUrl, path);
        URI known = ENDPOINTS.get(key);
        if (known != null) {
            return known;
        }
        if (ENDPOINTS.size() >= MAX_ENDPOINTS) {
            ENDPOINTS.clear();
        }
        String base = baseUrl.toString();
        URI made = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/" + path);
        ENDPOINTS.put(key, made);
        return made;
    }

    /** The complete request headers: client headers are never forwarded, only what the upstream needs. */
    public static Map<String, String> requestHeaders(AttemptRequest request) {
        var headers = new LinkedHashMap<String, String>();
        // A blank key means a keyless upstream (a local server), not a key to send.
        if (!request.credential().secret().isBlank()) {
            headers.put("Authorization", "Bearer " + request.credential().secret().reveal());
        }
        headers.put("Content-Type", "application/json");
        headers.put("Accept", request.stream() ? "text/event-stream" : "application/json");
        return headers;
    }

    public static Map<String, String> forwardedHeaders(UpstreamExchange exchange) {
        var headers = new LinkedHashMap<String, String>();
        for (String name : FORWARDED_HEADERS) {
            exchange.header(name).ifPresent(value -> headers.put(name, value));
        }
        exchange.header("x-request-id").ifPresent(value -> headers.put(UPSTREAM_REQUEST_ID, value));
        return headers;
    }

    public static Map<String, String> streamHeaders(UpstreamExchange exchange) {
        Map<String, String> headers = forwardedHeaders(exchange);
        headers.putIfAbsent("content-type", "text/event-stream");
        return headers;
    }

    public static UpstreamReply.Buffered buffered(UpstreamExchange exchange, byte[] body) {
        return new UpstreamReply.Buffered(exchange.status(), forwardedHeaders(exchange), body);
    }

    /**
     * The client's request has a shape the conversion to {@code upstreamApi} cannot carry: a 400 in the OpenAI shape
     * (no upstream of that kind could take it either).
     */
    public static UpstreamReply.Buffered notConvertibleReply(String upstreamApi, String example) {
        String message = "The request cannot be converted for a " + upstreamApi + " upstream (an unsupported field "
                + "value, e.g. " + example + ").";
        byte[] body = ("{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\","
                + "\"param\":null,\"code\":\"unsupported_conversion\"}}").getBytes(StandardCharsets.UTF_8);
        return new UpstreamReply.Buffered(400, Map.of("content-type", "application/json"), body);
    }

    /** The gateway's own memory budget was spent: a 503 in the OpenAI shape, telling the client to come back. */
    public static UpstreamReply.Buffered overloadedReply() {
        return new UpstreamReply.Buffered(503, Map.of("content-type", "application/json", "retry-after", "1"),
                OVERLOADED_BODY.clone());
    }
}
