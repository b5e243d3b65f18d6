package dev.tokenproxy.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable OpenAI Responses API upstream (protocols.md §2) for adapter and end-to-end tests: the Responses layer
 * over a {@link ScriptedHttpServer}, which does the HTTP and the misbehaving.
 *
 * <p>{@code POST {baseUrl}/responses} is answered by the next {@linkplain #script scripted} {@link ResponsesReply}
 * that matches the request's model and Bearer key, or else by the {@linkplain #defaultReply default reply}. Any other
 * method or path gets a 404 OpenAI error. Every request is recorded, whatever its path; a test reads what was sent
 * with {@code requests().getFirst().json().path("instructions")} (or {@code "input"}, {@code "tools"}).
 */
public final class FakeResponsesUpstream implements AutoCloseable {

    /** Matches any model or key in {@link #script}. */
    public static final String ANY = ReplyQueues.ANY;

    private static final String RESPONSES = "/v1/responses";

    private final ReplyQueues<ResponsesReply> replies =
            new ReplyQueues<>(ResponsesReply.ok("Hello from the fake Responses upstream"));
    private final AtomicInteger responseIds = new AtomicInteger();
    private final ScriptedHttpServer server;

    private FakeResponsesUpstream(TestTls.ServerCert cert) {
        this.server = cert == null ? ScriptedHttpServer.start(this::route) : ScriptedHttpServer.startTls(cert, this::route);
    }

    /** Plain HTTP on 127.0.0.1 and an ephemeral port. */
    public static FakeResponsesUpstream start() {
        return new FakeResponsesUpstream(null);
    }

    /** HTTPS on 127.0.0.1 and an ephemeral port, presenting {@code cert}. */
    public static FakeResponsesUpstream startTls(TestTls.ServerCert cert) {
        return new FakeResponsesUpstream(Objects.requireNonNull(cert, "cert"));
    }

    /** {@code http://127.0.0.1:PORT/v1} ({@code https} with TLS); requests go to {@code {baseUrl}/responses}. */
    public String baseUrl() {
        return server.url("/v1");
    }

    public int port() {
        return server.port();
    }

    /**
     * Queues replies for requests whose body {@code model} equals {@code model} and whose Bearer key equals
     * {@code key}, either being {@link #ANY}. Each reply is used once, in order. When several queues match, the most
     * specific wins: exact model and key, then exact model, then exact key, then {@code ANY}/{@code ANY}.
     */
    public FakeResponsesUpstream script(String model, String key, ResponsesReply... replies) {
        this.replies.add(model, key, replies);
        return this;
    }

    /** The reply for a request that no script matches; initially {@code ResponsesReply.ok("Hello from the fake Responses upstream")}. */
    public FakeResponsesUpstream defaultReply(ResponsesReply reply) {
        replies.setDefault(reply);
        return this;
    }

    /** Every request received since the start or the last {@link #clearRequests()}, in arrival order. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    public List<RecordedRequest> requestsWithKey(String key) {
        return requests().stream().filter(request -> Objects.equals(request.bearerKey(), key)).toList();
    }

    public void clearRequests() {
        server.clearRequests();
    }

    /** Waits until {@link #requests()} holds at least {@code n} requests; false if {@code timeout} passed first. */
    public boolean awaitRequestCount(int n, Duration timeout) throws InterruptedException {
        return server.awaitRequestCount(n, timeout);
    }

    /** TCP connections accepted since start: how often the client had to open a new one. */
    public int acceptedConnections() {
        return server.acceptedConnections();
    }

    /** Connections whose client went away while a reply was still in progress; closing the fake does not count. */
    public int abandonedConnections() {
        return server.abandonedConnections();
    }

    /** Waits until at least one client has abandoned a reply since the start; false if {@code timeout} passed first. */
    public boolean awaitClientDisconnect(Duration timeout) throws InterruptedException {
        return server.awaitAbandonedConnections(1, timeout);
    }

    /** Stops listening and closes every connection, which releases replies that stall or never answer. */
    @Override
    public void close() {
        server.close();
    }

    /** The server's router: a Responses request takes its scripted reply, bound to frames with fresh ids. */
    private Script route(RecordedRequest request) {
        ResponsesReply reply = "POST".equals(request.method()) && RESPONSES.equals(request.pathWithoutQuery())
                ? replies.next(request)
                : ResponsesReply.error(404, "invalid_request_error", "unknown_url",
                        "Unknown request URL: " + request.method() + " " + request.path());
        int n = responseIds.incrementAndGet();
        var frames = new ResponsesFrames("resp_fake_" + n, "msg_fake_" + n, Instant.now().getEpochSecond(), request);
        return out -> reply.play(out, frames);
    }
}
