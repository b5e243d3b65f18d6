package dev.tokenproxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable Codex backend (the ChatGPT backend behind {@code codex}, protocols.md §3) for adapter and end-to-end
 * tests: the Codex layer over a {@link ScriptedHttpServer}, which does the HTTP and the misbehaving.
 *
 * <p>{@code POST {baseUrl}/responses} is checked the way the real backend checks it: no bearer token is a 401; a body
 * that breaks the Codex rules is a 400 {@code {"detail":"…"}} with the backend's own words (stream must be true, store
 * false, instructions present, no parameter it does not support). A valid request is answered by the next reply
 * {@linkplain #script scripted} for its access token, or else by the {@linkplain #defaultReply default reply}. Every
 * request is recorded, whatever its path or validity; {@code requests().getFirst().header("chatgpt-account-id")}.
 */
public final class FakeCodexBackend implements AutoCloseable {

    /** Matches any access token in {@link #script}. */
    public static final String ANY = ReplyQueues.ANY;

    private static final String BASE_PATH = "/backend-api/codex";
    private static final String RESPONSES = BASE_PATH + "/responses";

    /** The parameters the backend answers "Unsupported parameter: …" for (observed, protocols.md §3). */
    private static final List<String> UNSUPPORTED = List.of("max_output_tokens", "max_completion_tokens",
            "temperature", "top_p", "previous_response_id", "prompt_cache_retention");

    private final ReplyQueues<CodexReply> replies = new ReplyQueues<>(CodexReply.ok("Hello from the fake Codex backend"));
    private final AtomicInteger responseIds = new AtomicInteger();
    private final ScriptedHttpServer server;

    private FakeCodexBackend() {
        this.server = ScriptedHttpServer.start(this::route);
    }

    /** Plain HTTP on 127.0.0.1 and an ephemeral port. */
    public static FakeCodexBackend start() {
        return new FakeCodexBackend();
    }

    /** {@code http://127.0.0.1:PORT/backend-api/codex}; requests go to {@code {baseUrl}/responses}. */
    public String baseUrl() {
        return server.url(BASE_PATH);
    }

    /**
     * Queues replies for requests whose bearer access token equals {@code accessToken} ({@link #ANY}: every token);
     * each used once, in order, the token's own queue before the {@code ANY} queue.
     */
    public FakeCodexBackend script(String accessToken, CodexReply... replies) {
        this.replies.add(ANY, Objects.requireNonNull(accessToken, "accessToken"), replies);
        return this;
    }

    /** The reply for a valid request that no script matches; initially {@code CodexReply.ok(…)}. */
    public FakeCodexBackend defaultReply(CodexReply reply) {
        replies.setDefault(reply);
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

    /** Waits until at least one client has abandoned a reply since the start; false if {@code timeout} passed first. */
    public boolean awaitClientDisconnect(Duration timeout) throws InterruptedException {
        return server.awaitAbandonedConnections(1, timeout);
    }

    /** Stops listening and closes every connection, which releases replies that stall or never answer. */
    @Override
    public void close() {
        server.close();
    }

    /** The server's router: the backend's checks, then the token's scripted reply bound to frames with fresh ids. */
    private Script route(RecordedRequest request) {
        CodexReply reply = reply(request);
        int n = responseIds.incrementAndGet();
        var frames = new ResponsesFrames("resp_codex_" + n, "msg_codex_" + n, Instant.now().getEpochSecond(), request);
        return out -> reply.play(out, frames);
    }

    private CodexReply reply(RecordedRequest request) {
        if (!"POST".equals(request.method()) || !RESPONSES.equals(request.pathWithoutQuery())) {
            return CodexReply.detail(404, "Not Found");
        }
        if (request.bearerKey() == null || request.bearerKey().isEmpty()) {
            return CodexReply.of(ResponsesReply.error(401, "invalid_request_error", null,
                    "Missing bearer or basic authentication in header"));
        }
        Optional<String> broken = brokenRule(request.json());
        return broken.map(detail -> CodexReply.detail(400, detail)).orElseGet(() -> replies.next(request));
    }

    /** The first Codex body rule the request breaks, in the backend's words (protocols.md §3). */
    private static Optional<String> brokenRule(JsonNode body) {
        if (!body.path("stream").asBoolean(false)) {
            return Optional.of("Stream must be set to true");
        }
        // Absent means the Responses default, which stores.
        if (!body.path("store").isBoolean() || body.path("store").booleanValue()) {
            return Optional.of("Store must be set to false");
        }
        if (!body.path("instructions").isTextual()) {
            return Optional.of("Instructions are required");
        }
        return UNSUPPORTED.stream().filter(body::has).findFirst().map(name -> "Unsupported parameter: " + name);
    }
}
