package dev.tokenproxy.application.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodyBytesTest {

    private static final byte[] REUSED = "{\"model\":\"m\"}SECRET-OF-AN-EARLIER-PROMPT".getBytes(StandardCharsets.UTF_8);
    private static final int LENGTH = "{\"model\":\"m\"}".length();

    @Test
    void aBodyInALongerArrayGivesOnlyItsOwnBytes() {
        var body = BodyBytes.of(REUSED, LENGTH);

        assertThat(body.length()).isEqualTo(LENGTH);
        assertThat(new String(body.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"m\"}");
        assertThat(body.copy().array()).hasSize(LENGTH).isNotSameAs(REUSED);
    }

    @Test
    void aWholeArrayIsHandedOnWithoutACopy() {
        byte[] exact = "{}".getBytes(StandardCharsets.UTF_8);

        assertThat(BodyBytes.of(exact).bytes()).isSameAs(exact);
    }

    @Test
    void equalBodiesAreEqualWhateverArraysHoldThem() {
        var inReused = BodyBytes.of(REUSED, LENGTH);
        var own = BodyBytes.of("{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(inReused).isEqualTo(own).hasSameHashCodeAs(own);
        assertThat(inReused).isNotEqualTo(BodyBytes.of(REUSED));
    }

    @Test
    void itsTextNamesTheLengthAndNotThePrompt() {
        assertThat(BodyBytes.of(REUSED, LENGTH)).hasToString("BodyBytes[13 bytes]");
    }

    @Test
    void aLengthBeyondTheArrayIsRefused() {
        assertThatThrownBy(() -> BodyBytes.of(new byte[4], 5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> BodyBytes.of(new byte[4], -1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
