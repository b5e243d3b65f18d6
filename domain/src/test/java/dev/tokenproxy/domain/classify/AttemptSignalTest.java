package dev.tokenproxy.domain.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AttemptSignalTest {

    @Test
    void anHttpSignalHasNoFaultNoErrorAndNoHint() {
        var signal = AttemptSignal.http("anthropic", 529);

        assertThat(signal.status()).isEqualTo(529);
        assertThat(signal.fault()).isEqualTo(Fault.NONE);
        assertThat(signal.errorType()).isNull();
        assertThat(signal.errorCode()).isNull();
        assertThat(signal.namesParam()).isFalse();
        assertThat(signal.waitHint()).isEmpty();
    }

    @Test
    void aFaultSignalHasStatusZero() {
        var signal = AttemptSignal.fault("openai", Fault.CONNECT_REFUSED);

        assertThat(signal.status()).isZero();
        assertThat(signal.fault()).isEqualTo(Fault.CONNECT_REFUSED);
    }

    @Test
    void theWithersChangeOnlyTheirOwnFields() {
        var hint = Optional.of(Duration.ofSeconds(3));

        var signal = AttemptSignal.http("codex", 429)
                .withWaitHint(hint)
                .withError("usage_limit_reached", "x", true)
                .withFault(Fault.STREAM_BROKEN_BEFORE_OUTPUT);

        assertThat(signal).isEqualTo(new AttemptSignal("codex", 429, "usage_limit_reached", "x", true,
                Fault.STREAM_BROKEN_BEFORE_OUTPUT, hint));
    }

    @Test
    void providerFaultAndHintAreRequired() {
        assertThatNullPointerException().isThrownBy(() -> AttemptSignal.http(null, 200));
        assertThatNullPointerException().isThrownBy(() -> AttemptSignal.http("openai", 200).withFault(null));
        assertThatNullPointerException().isThrownBy(() -> AttemptSignal.http("openai", 200).withWaitHint(null));
    }
}
