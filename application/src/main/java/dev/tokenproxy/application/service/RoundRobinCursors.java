package dev.tokenproxy.application.service;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One rotating cursor per group (a priority group of one format, or a credential pool). Groups are keys with cheap
 * hashes, not names built for each request: a text made and hashed afresh per request cost ~0.5% of a request
 * (benchmark.md, seventeenth pass).
 *
 * @param <G> the group key: a record or a string the caller keeps
 */
final class RoundRobinCursors<G> {

    private final ConcurrentHashMap<G, AtomicLong> cursors = new ConcurrentHashMap<>();

    /** The cursor value for this request; advances the group's cursor by one. */
    long next(G group) {
        var cursor = cursors.get(group);
        if (cursor == null) {
            cursor = cursors.computeIfAbsent(group, g -> new AtomicLong());
        }
        return cursor.getAndIncrement();
    }
}
