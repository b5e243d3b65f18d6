package dev.tokenproxy.application.service;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** One rotating cursor per named group (a priority group and format, or a credential pool). */
final class RoundRobinCursors {

    private final ConcurrentHashMap<String, AtomicLong> cursors = new ConcurrentHashMap<>();

    /** The cursor value for this request; advances the group's cursor by one. */
    long next(String group) {
        return cursors.computeIfAbsent(group, g -> new AtomicLong()).getAndIncrement();
    }
}
