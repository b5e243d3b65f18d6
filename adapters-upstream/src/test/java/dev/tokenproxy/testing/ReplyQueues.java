package dev.tokenproxy.testing;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The scripting shared by the fake upstreams: queues of replies selected by the request's {@code model} and Bearer
 * key, each reply used once, and a default for requests that no queue answers. Thread-safe.
 *
 * @param <R> the fake's reply type
 */
final class ReplyQueues<R> {

    /** Matches any model or key; also matches a request that has none. */
    static final String ANY = "*";

    /** Which requests a queue answers. */
    private record Selector(String model, String key) { }

    private final Map<Selector, Deque<R>> queues = new HashMap<>();
    private R defaultReply;

    ReplyQueues(R defaultReply) {
        this.defaultReply = Objects.requireNonNull(defaultReply, "defaultReply");
    }

    /** Appends {@code replies} to the queue of requests with this model and key, either being {@link #ANY}. */
    @SafeVarargs
    final synchronized void add(String model, String key, R... replies) {
        var selector = new Selector(Objects.requireNonNull(model, "model"), Objects.requireNonNull(key, "key"));
        queues.computeIfAbsent(selector, s -> new ArrayDeque<>()).addAll(Arrays.asList(replies));
    }

    synchronized void setDefault(R reply) {
        defaultReply = Objects.requireNonNull(reply, "reply");
    }

    /**
     * Takes the next reply for {@code request} from the most specific non-empty queue: exact model and key, then exact
     * model, then exact key, then {@code ANY}/{@code ANY}; the default when all are empty.
     */
    synchronized R next(RecordedRequest request) {
        return next(request, request.bearerKey());
    }

    /** The same, for an API whose key travels elsewhere than in a Bearer header (Anthropic's {@code x-api-key}). */
    synchronized R next(RecordedRequest request, String key) {
        List<Selector> mostSpecificFirst = List.of(
                new Selector(request.model(), key),
                new Selector(request.model(), ANY),
                new Selector(ANY, key),
                new Selector(ANY, ANY));
        for (Selector selector : mostSpecificFirst) {
            Deque<R> queue = queues.get(selector);
            if (queue != null && !queue.isEmpty()) {
                return queue.poll();
            }
        }
        return defaultReply;
    }
}
