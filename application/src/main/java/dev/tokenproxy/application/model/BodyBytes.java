package dev.tokenproxy.application.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A client's request body: the first {@link #length()} bytes of {@link #array()}.
 *
 * <p>The array can be longer than the body: the inbound adapter reads large prompts into buffers it reuses, so that
 * the collector does not copy hundreds of KB per request from one generation to the next (ADR 0018). Two rules follow
 * for every port that receives one: never write to the array, and never keep it, or anything that reads it later,
 * after the call that received it has returned. {@link #copy()} gives a body of one's own.
 *
 * <p>{@link #toString()} names only the length: a prompt never reaches a log line through it.
 */
public final class BodyBytes {

    private static final BodyBytes EMPTY = new BodyBytes(new byte[0], 0);

    private final byte[] array;
    private final int length;

    private BodyBytes(byte[] array, int length) {
        this.array = array;
        this.length = length;
    }

    /** A body that is all of {@code bytes}. */
    public static BodyBytes of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return bytes.length == 0 ? EMPTY : new BodyBytes(bytes, bytes.length);
    }

    /** A body that is the first {@code length} bytes of {@code array}. */
    public static BodyBytes of(byte[] array, int length) {
        Objects.checkFromIndexSize(0, length, Objects.requireNonNull(array, "array").length);
        return new BodyBytes(array, length);
    }

    /** The array the body starts at; only its first {@link #length()} bytes are the body. Read it, never write it. */
    public byte[] array() {
        return array;
    }

    public int length() {
        return length;
    }

    /**
     * The body in an array of exactly its length, for code that takes a whole array: {@link #array()} itself when it
     * is that long (most bodies), else a copy. Read it, never write it.
     */
    public byte[] bytes() {
        return array.length == length ? array : Arrays.copyOf(array, length);
    }

    /** The body in an array of its own, to keep or change. */
    public BodyBytes copy() {
        return of(Arrays.copyOf(array, length));
    }

    /** Equal when the bodies' bytes are, whatever arrays hold them. */
    @Override
    public boolean equals(Object other) {
        return other instanceof BodyBytes that
                && Arrays.equals(array, 0, length, that.array, 0, that.length);
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + array[i];
        }
        return hash;
    }

    @Override
    public String toString() {
        return "BodyBytes[" + length + " bytes]";
    }
}
