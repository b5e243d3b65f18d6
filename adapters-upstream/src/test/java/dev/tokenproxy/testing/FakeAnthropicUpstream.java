package dev.tokenproxy.testing;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable Anthropic Messages API upstream (protocols.md §5) for adapter and end-to-end tests: the Messages layer
 * over a {@link ScriptedHttpServer}, which does the HTTP and the misbehaving.
 *
 * <p>{@code POST {baseUrl}/messages} (any query string) is answered by the next {@linkplain #script scripted}
 * {@link AnthropicReply} that matches the request's model and {@code x-api-key}, or else by the
 * {@linkplain #defaultReply default reply}. {@code GET {baseUrl}/models} lists {@link #MODELS_LISTED}. Anything else
 * gets a 404 {@code not_found_error}. Every request is recorded, whatever its path.
 */
public final class FakeAnthropicUpstream implements AutoCloseable {

    /** Matches any model or key in {@link #script}. */
    public static final String ANY = ReplyQueues.ANY;

    /** What {@code GET /v1/models} lists. */
    public static final List<String> MODELS_LISTED = List.of("claude-fake-1", "claude-fake-2");

    private static final String MESSAGES = "/v1/messages";
    private static final String MODELS = "/v1/models";

    private final ReplyQueues<AnthropicReply> replies =
            new ReplyQueues<>(AnthropicReply.ok("Hello from the fake Anthropic upstream"));
    private final AtomicInteger messageIds = new AtomicInteger();
    private final ScriptedHttpServer server;

    private FakeAnthropicUpstream() {
        this.server = ScriptedHttpServer.start(this::route);
    }

    /** Plain HTTP on 127.0.0.1 and an ephemeral port. */
    public static FakeAnthropicUpstream start() {
        return new FakeAnthropicUpstream();
    }

    /** {@code http://127.0.0.1:PORT/v1}, the shape of Anthropic's {@code https://api.anthropic.com/v1}. */
    public String baseUrl() {
        return server.url("/v1");
    }

    /**
     * Queues replies for requests whose body {@code model} equals {@code model} and whose {@code x-api-key} equals
     * {@code key}, either being {@link #ANY}; each used once, in order, the most specific queue first.
     */
    public FakeAnthropicUpstream script(String model, String key, AnthropicReply... replies) {
        this.replies.add(model, key, replies);
        return this;
    }

    /** The reply for a request that no script matches; initially a short text answer. */
    public FakeAnthropicUpstream defaultReply(AnthropicReply reply) {
        replies.setDefault(reply);
        return this;
    }

    /** Every request received since the start or the last {@link #clearRequests()}, in arrival order. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /** The requests that presented {@code key} as {@code x-api-key}. */
    public List<RecordedRequest> requestsWithKey(String key) {
        return requests().stream().filter(request -> Objects.equals(request.header("x-api-key"), key)).toList();
    }

    public void clearRequests() {
        server.clearRequests();
    }

    /** Waits until {@link #requests()} holds at least {@code n} requests; false if {@code timeout} passed first. */
    public boolean awaitRequestCount(int n, Duration timeout) throws InterruptedException {
        return server.awaitRequestCount(n, timeout);
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        server.close();
    }

    private Script route(RecordedRequest request) {
        if ("GET".equals(request.method()) && MODELS.equals(request.pathWithoutQuery())) {
            var list = MessagesFrames.object();
            var data = list.putArray("data");
            MODELS_LISTED.forEach(id -> data.addObject().put("type", "model").put("id", id)
                    .put("display_name", id).put("created_at", "2025-01-01T00:00:00Z"));
            list.put("has_more", false);
            return out -> out.sendJson(200, MessagesFrames.write(list));
        }
        AnthropicReply reply = "POST".equals(request.method()) && MESSAGES.equals(request.pathWithoutQuery())
                ? replies.next(request, request.header("x-api-key"))
                : AnthropicReply.error(404, "not_found_error", "Not found: " + request.method() + " " + request.path());
        var frames = new MessagesFrames("msg_fake_" + messageIds.incrementAndGet(), request);
        return out -> reply.play(out, frames);
    }
}
