package dev.tokenproxy.adapter.in.http;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Arrays for large request bodies, reused from one request to the next (ADR 0018).
 *
 * <p>A prompt of hundreds of KB lives from its first byte until its answer is written, longer than the time between
 * two young collections under load; the serial collector then copies it into the old generation and must later
 * compact it away. With the 256 KB prompts of coding agents that copying cost more CPU than the requests themselves
 * (docs/benchmark.md, eleventh pass). A reused array lives in the old generation for good and costs a collection
 * nothing.
 *
 * <p>Bodies under {@value #SMALLEST} bytes get an array of their own, which dies young; larger ones an array of the
 * next power of two, up to {@value #LARGEST}, above which an array of their own again (a rare size is not worth
 * keeping). The arrays kept while no request holds them total at most {@code retainedBytes}; a request that finds none
 * free allocates one. Thread-safe.
 */
final class BodyBuffers {

    static final int SMALLEST = 64 * 1024;
    static final int LARGEST = 4 * 1024 * 1024;

    private final long retainedBytes;
    private final AtomicLong retained = new AtomicLong();
    /** One stack of free arrays per size: SMALLEST, 2 × SMALLEST, ... LARGEST. */
    private final ArrayDeque<byte[]>[] free;

    @SuppressWarnings("unchecked")
    BodyBuffers(long retainedBytes) {
        if (retainedBytes < 0) {
            throw new IllegalArgumentException("retainedBytes must not be negative, was " + retainedBytes);
        }
        this.retainedBytes = retainedBytes;
        this.free = new ArrayDeque[sizeClass(LARGEST) + 1];
        for (int i = 0; i < free.length; i++) {
            free[i] = new ArrayDeque<>();
        }
    }

    /** Buffers that keep nothing: every body gets an array of its own. */
    static BodyBuffers none() {
        return new BodyBuffers(0);
    }

    /** An array of at least {@code length} bytes, whose contents are whatever an earlier request left there. */
    byte[] take(int length) {
        if (length < SMALLEST || length > LARGEST) {
            return new byte[length];
        }
        int sizeClass = sizeClass(length);
        byte[] reused;
        ArrayDeque<byte[]> stack = free[sizeClass];
        synchronized (stack) {
            reused = stack.pollFirst();
        }
        if (reused == null) {
            return new byte[SMALLEST << sizeClass];
        }
        retained.addAndGet(-reused.length);
        return reused;
    }

    /** Gives back an array from {@link #take}; the caller must not touch it afterwards. */
    void give(byte[] array) {
        int length = array.length;
        if (length < SMALLEST || length > LARGEST || Integer.bitCount(length) != 1) {
            return;
        }
        if (retained.addAndGet(length) > retainedBytes) {
            retained.addAndGet(-length);
            return;
        }
        ArrayDeque<byte[]> stack = free[sizeClass(length)];
        synchronized (stack) {
            stack.addFirst(array);
        }
    }

    /** Bytes in arrays that wait for a request. */
    long retained() {
        return retained.get();
    }

    /** 0 for lengths up to SMALLEST, 1 up to twice that, and so on. */
    private static int sizeClass(int length) {
        int rounded = Math.max(SMALLEST, Integer.highestOneBit(length - 1) << 1);
        return Integer.numberOfTrailingZeros(rounded) - Integer.numberOfTrailingZeros(SMALLEST);
    }
}
