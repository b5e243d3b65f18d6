package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BodyBuffersTest {

    private static final int KIB = 1024;

    @Test
    void aLargeBodyGetsAnArrayOfTheNextPowerOfTwoAndTheNextBodyOfThatSizeReusesIt() {
        var buffers = new BodyBuffers(16 * KIB * KIB);

        byte[] first = buffers.take(200 * KIB);
        buffers.give(first);

        assertThat(first).hasSize(256 * KIB);
        assertThat(buffers.retained()).isEqualTo(256 * KIB);
        assertThat(buffers.take(130 * KIB)).isSameAs(first);
        assertThat(buffers.retained()).isZero();
    }

    @Test
    void aBodyOfAnotherSizeGetsAnotherArray() {
        var buffers = new BodyBuffers(16 * KIB * KIB);
        byte[] large = buffers.take(200 * KIB);
        buffers.give(large);

        assertThat(buffers.take(100 * KIB)).hasSize(128 * KIB).isNotSameAs(large);
        assertThat(buffers.take(64 * KIB)).hasSize(64 * KIB);
    }

    @Test
    void smallAndVeryLargeBodiesGetArraysOfTheirOwnThatAreNotKept() {
        var buffers = new BodyBuffers(64 * KIB * KIB);

        byte[] small = buffers.take(BodyBuffers.SMALLEST - 1);
        byte[] huge = buffers.take(BodyBuffers.LARGEST + 1);
        buffers.give(small);
        buffers.give(huge);

        assertThat(small).hasSize(BodyBuffers.SMALLEST - 1);
        assertThat(huge).hasSize(BodyBuffers.LARGEST + 1);
        assertThat(buffers.retained()).isZero();
    }

    @Test
    void whatIsKeptStaysWithinTheLimit() {
        var buffers = new BodyBuffers(600 * KIB);
        byte[] a = buffers.take(256 * KIB);
        byte[] b = buffers.take(256 * KIB);
        byte[] c = buffers.take(256 * KIB);

        buffers.give(a);
        buffers.give(b);
        buffers.give(c);

        assertThat(buffers.retained()).isEqualTo(512 * KIB);
        assertThat(buffers.take(256 * KIB)).as("the last one kept").isSameAs(b);
        assertThat(buffers.take(256 * KIB)).isSameAs(a);
        assertThat(buffers.take(256 * KIB)).isNotSameAs(a).isNotSameAs(b).isNotSameAs(c);
    }

    @Test
    void buffersThatKeepNothingAllocateEveryTime() {
        var buffers = BodyBuffers.none();
        byte[] first = buffers.take(256 * KIB);
        buffers.give(first);

        assertThat(buffers.take(256 * KIB)).isNotSameAs(first);
    }
}
