package dev.tokenproxy.testing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable Kiro (CodeWhisperer / Amazon Q) upstream for adapter and end-to-end tests (protocols.md §4), over a
 * {@link ScriptedHttpServer}. Both Kiro endpoints share the path {@code POST /generateAssistantResponse} and differ in
 * host and {@code x-amz-target}; this fake serves both on one port and tells them apart by that header, so a test can
 * script "429 on the CodeWhisperer endpoint, 200 on Amazon Q" ({@link #scriptTarget}).
 *
 * <p>Checks like the real service: no bearer token → 403 {@code AccessDeniedException}; a body without
 * {@code conversationState.currentMessage.userInputMessage} → 400 {@code ValidationException}. A valid request gets
 * the next reply scripted for its (target, access token), then for its token on any target, then for any token;
 * else the {@linkplain #defaultReply default}. Every request is recorded, whatever its path or validity.
 */
public final class FakeKiroUpstream implements AutoCloseable {

    /** Matches any access token or target. */
    public static final String ANY = "*";
    public static final String PATH = "/generateAssistantResponse";
    public static final String CODEWHISPERER_TARGET = "AmazonCodeWhispererStreamingService.GenerateAssistantResponse";
    public static final String AMAZON_Q_TARGET = "AmazonQDeveloperStreamingService.SendMessage";

    private record Selector(String target, String token) { }

    private final Map<Selector, Deque<KiroReply>> queues = new HashMap<>();
    private KiroReply defaultReply = KiroReply.ok("Hello from the fake Kiro upstream");
    private final AtomicInteger requestIds = new AtomicInteger();
    private final ScriptedHttpServer server;

    private FakeKiroUpstream() {
        this.server = ScriptedHttpServer.start(this::route);
    }

    /** Plain HTTP on 127.0.0.1 and an ephemeral port. */
    public static FakeKiroUpstream start() {
        return new FakeKiroUpstream();
    }

    /** {@code http://127.0.0.1:PORT}: the base URL of either endpoint; requests go to {@code {baseUrl}/generateAssistantResponse}. */
    public String baseUrl() {
        return server.origin();
    }

    /** Queues replies for requests with bearer {@code accessToken} ({@link #ANY}: every token), on any target. */
    public FakeKiroUpstream script(String accessToken, KiroReply... replies) {
        return scriptTarget(ANY, accessToken, replies);
    }

    /** Queues replies for requests with this {@code x-amz-target} (or {@link #ANY}) and bearer token (or {@link #ANY}). */
    public synchronized FakeKiroUpstream scriptTarget(String target, String accessToken, KiroReply... replies) {
        var selector = new Selector(Objects.requireNonNull(target, "target"),
                Objects.requireNonNull(accessToken, "accessToken"));
        queues.computeIfAbsent(selector, s -> new ArrayDeque<>()).addAll(List.of(replies));
        return this;
    }

    /** The reply for a valid request that no script matches; initially {@code KiroReply.ok(…)}. */
    public synchronized FakeKiroUpstream defaultReply(KiroReply reply) {
        defaultReply = Objects.requireNonNull(reply, "reply");
        return this;
    }

    /** Every request received since the start or the last {@link #clearRequests()}, in arrival order. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /** The requests sent with {@code accessToken}: one account's calls. */
    public List<RecordedRequest> requestsWithToken(String accessToken) {
        return requests().stream().filter(request -> Objects.equals(request.bearerKey(), accessToken)).toList();
    }

    public void clearRequests() {
        server.clearRequests();
    }

    /** Waits until {@link #requests()} holds at least {@code n} requests; false if {@code timeout} passed first. */
    public boolean awaitRequestCount(int n, Duration timeout) throws InterruptedException {
        return server.awaitRequestCount(n, timeout);
    }

    /** Waits until at least one client has abandoned a reply; false if {@code timeout} passed first. */
    public boolean awaitClientDisconnect(Duration timeout) throws InterruptedException {
        return server.awaitAbandonedConnections(1, timeout);
    }

    /** Stops listening and closes every connection, which releases replies that stall. */
    @Override
    public void close() {
        server.close();
    }

    private Script route(RecordedRequest request) {
        KiroReply reply = reply(request);
        String requestId = "fake-kiro-" + requestIds.incrementAndGet();
        return out -> reply.play(out, requestId);
    }

    private KiroReply reply(RecordedRequest request) {
        if (!"POST".equals(request.method()) || !PATH.equals(request.pathWithoutQuery())) {
            return KiroReply.error(404, "ResourceNotFoundException", "Unknown operation", null);
        }
        if (request.bearerKey() == null || request.bearerKey().isEmpty()) {
            return KiroReply.error(403, "AccessDeniedException", "Missing authentication token", null);
        }
        if (!request.json().path("conversationState").path("currentMessage").path("userInputMessage").isObject()) {
            return KiroReply.error(400, "ValidationException", "Improperly formed request.", null);
        }
        return next(request.header("x-amz-target"), request.bearerKey());
    }

    private synchronized KiroReply next(String target, String token) {
        for (var selector : List.of(new Selector(target, token), new Selector(ANY, token),
                new Selector(target, ANY), new Selector(ANY, ANY))) {
            Deque<KiroReply> queue = queues.get(selector);
            if (queue != null && !queue.isEmpty()) {
                return queue.poll();
            }
        }
        return defaultReply;
    }
}
