package dev.tokenproxy.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable OpenAI Chat Completions upstream (protocols.md §1) for adapter and end-to-end tests: the Chat layer
 * over a {@link ScriptedHttpServer}, which does the HTTP and the misbehaving.
 *
 * <p>{@code POST {baseUrl}/chat/completions} is answered by the next {@linkplain #script scripted} {@link Reply}
 * that matches the request's model and Bearer key, or else by the {@linkplain #defaultReply default reply}.
 * {@code GET {baseUrl}/models} answers with the {@linkplain #modelList listed models} (none at first) or a
 * {@linkplain #modelListReply scripted reply}. Any other method or path gets a 404 OpenAI error. Every request is
 * recorded, whatever its path.
 */
public final class FakeOpenAiUpstream implements AutoCloseable {

    /** Matches any model or key in {@link #script}. */
    public static final String ANY = ReplyQueues.ANY;

    private static final String CHAT_COMPLETIONS = "/v1/chat/completions";
    private static final String MODELS = "/v1/models";

    private final ReplyQueues<Reply> replies = new ReplyQueues<>(Reply.ok("Hello from the fake upstream"));
    private final AtomicInteger completionIds = new AtomicInteger();
    private volatile Reply modelsReply = modelListOf(List.of());
    private final ScriptedHttpServer server;

    private FakeOpenAiUpstream(TestTls.ServerCert cert) {
        this.server = cert == null ? ScriptedHttpServer.start(this::route) : ScriptedHttpServer.startTls(cert, this::route);
    }

    /** Plain HTTP on 127.0.0.1 and an ephemeral port. */
    public static FakeOpenAiUpstream start() {
        return new FakeOpenAiUpstream(null);
    }

    /** HTTPS on 127.0.0.1 and an ephemeral port, presenting {@code cert}. */
    public static FakeOpenAiUpstream startTls(TestTls.ServerCert cert) {
        return new FakeOpenAiUpstream(Objects.requireNonNull(cert, "cert"));
    }

    /** {@code http://127.0.0.1:PORT/v1} ({@code https} with TLS); chat requests go to {@code {baseUrl}/chat/completions}. */
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
    public FakeOpenAiUpstream script(String model, String key, Reply... replies) {
        this.replies.add(model, key, replies);
        return this;
    }

    /** The reply for a chat request that no script matches; initially {@code Reply.ok("Hello from the fake upstream")}. */
    public FakeOpenAiUpstream defaultReply(Reply reply) {
        replies.setDefault(reply);
        return this;
    }

    /**
     * {@code GET {baseUrl}/models} answers from now on with these ids in the OpenAI list shape
     * {@code {"object":"list","data":[{"id","object":"model","created","owned_by"}]}}.
     */
    public FakeOpenAiUpstream modelList(String... ids) {
        return modelListReply(modelListOf(List.of(ids)));
    }

    /** {@code GET {baseUrl}/models} answers from now on with {@code reply}: an error, a reset, a malformed body. */
    public FakeOpenAiUpstream modelListReply(Reply reply) {
        this.modelsReply = Objects.requireNonNull(reply, "reply");
        return this;
    }

    /** How many {@code GET {baseUrl}/models} requests arrived since the start or the last {@link #clearRequests()}. */
    public int modelListRequests() {
        return (int) requests().stream().filter(FakeOpenAiUpstream::isModelList).count();
    }

    /** Every request received since the start or the last {@link #clearRequests()}, in arrival order. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    public List<RecordedRequest> requestsWithKey(String key) {
        return requests().stream().filter(request -> Objects.equals(request.bearerKey(), key)).toList();
    }

    /** TCP connections accepted since start: how often the client had to open a new one. */
    public int acceptedConnections() {
        return server.acceptedConnections();
    }

    public void clearRequests() {
        server.clearRequests();
    }

    /** Waits until {@link #requests()} holds at least {@code n} requests; false if {@code timeout} passed first. */
    public boolean awaitRequestCount(int n, Duration timeout) throws InterruptedException {
        return server.awaitRequestCount(n, timeout);
    }

    /**
     * Connections whose client went away while a reply was still in progress: during a stall, a
     * {@link Reply#noAnswer()}, a slow first token, or while a stream was being written. Lets tests prove that the
     * client cancelled. Closing the fake does not count.
     */
    public int abandonedConnections() {
        return server.abandonedConnections();
    }

    /** Waits until {@link #abandonedConnections()} reaches {@code n}; false if {@code timeout} passed first. */
    public boolean awaitAbandonedConnections(int n, Duration timeout) throws InterruptedException {
        return server.awaitAbandonedConnections(n, timeout);
    }

    /** Waits until at least one client has abandoned a reply since the start; false if {@code timeout} passed first. */
    public boolean awaitClientDisconnect(Duration timeout) throws InterruptedException {
        return awaitAbandonedConnections(1, timeout);
    }

    /** Stops listening and closes every connection, which releases replies that stall or never answer. */
    @Override
    public void close() {
        server.close();
    }

    /** The server's router: a chat request takes its scripted reply, bound to frames with a fresh completion id. */
    private Script route(RecordedRequest request) {
        Reply reply;
        if ("POST".equals(request.method()) && CHAT_COMPLETIONS.equals(request.pathWithoutQuery())) {
            reply = replies.next(request);
        } else if (isModelList(request)) {
            reply = modelsReply;
        } else {
            reply = Reply.error(404, "invalid_request_error", "unknown_url",
                    "Unknown request URL: " + request.method() + " " + request.path());
        }
        var frames = new ChatFrames("chatcmpl-fake-" + completionIds.incrementAndGet(),
                Instant.now().getEpochSecond(), request);
        return out -> reply.play(out, frames);
    }

    private static boolean isModelList(RecordedRequest request) {
        return "GET".equals(request.method()) && MODELS.equals(request.pathWithoutQuery());
    }

    private static Reply modelListOf(List<String> ids) {
        var data = new StringBuilder();
        for (String id : ids) {
            data.append(data.isEmpty() ? "" : ",").append("{\"id\":\"").append(id)
                    .append("\",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"fake\"}");
        }
        return Reply.status(200, "{\"object\":\"list\",\"data\":[" + data + "]}");
    }
}
