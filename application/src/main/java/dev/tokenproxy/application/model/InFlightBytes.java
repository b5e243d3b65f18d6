package dev.tokenproxy.application.model;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The budget of body bytes the gateway holds in memory at once, over all requests: request bodies from admission
 * until their response is written, upstream response bodies while they are being buffered. A reservation that does
 * not fit is refused at once, so the caller can answer 503 instead of the JVM running out of memory. Thread-safe.
 */
public final class InFlightBytes {

    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    public InFlightBytes(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** A budget nothing exhausts, for adapters used without one (tests, tools). */
    public static InFlightBytes unlimited() {
        return new InFlightBytes(Long.MAX_VALUE);
    }

    /** Takes {@code bytes} from the budget if they fit; the caller must {@link #release} them later. */
    public boolean tryReserve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative, was " + bytes);
        }
        long current;
        do {
            current = used.get();
            if (bytes > capacity - current) {
                return false;
            }
        } while (!used.compareAndSet(current, current + bytes));
        return true;
    }

    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long capacity() {
        return capacity;
    }
}
