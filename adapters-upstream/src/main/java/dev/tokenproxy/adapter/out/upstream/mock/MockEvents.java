package dev.tokenproxy.adapter.out.upstream.mock;

import java.util.List;

/**
 * A stream as a mock upstream writes it: SSE frames in wire bytes, and where its first output is, which is where a
 * slow or stalled upstream makes the client wait and where "cut after N chunks" counts from.
 *
 * @param frames      every frame, in order, as bytes on the wire
 * @param firstOutput the index of the first frame carrying text; {@code frames.size()} when none does
 */
record MockEvents(List<byte[]> frames, int firstOutput) {
    MockEvents {
        frames = List.copyOf(frames);
    }
}
