package dev.tokenproxy.domain.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.Verdict.CooldownKind;
import dev.tokenproxy.domain.classify.Verdict.Kind;
import org.junit.jupiter.api.Test;

class VerdictTest {

    @Test
    void aRetryableVerdictCarriesItsReasonAndCooldown() {
        var verdict = Verdict.retry(RetryReason.RATE_LIMITED, CooldownKind.TRANSIENT);

        assertThat(verdict.kind()).isEqualTo(Kind.RETRYABLE);
        assertThat(verdict.reason()).isEqualTo(RetryReason.RATE_LIMITED);
        assertThat(verdict.cooldown()).isEqualTo(CooldownKind.TRANSIENT);
    }

    @Test
    void aRetryableVerdictWithoutAReasonIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Verdict(Kind.RETRYABLE, null, CooldownKind.TRANSIENT, 0));
    }

    @Test
    void aReasonOnANonRetryableVerdictIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Verdict(Kind.FATAL, RetryReason.SERVER_ERROR, CooldownKind.NONE, 0));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Verdict(Kind.SUCCESS, RetryReason.SERVER_ERROR, CooldownKind.NONE, 0));
    }

    @Test
    void successAndFatalNeverCool() {
        assertThat(Verdict.SUCCESS.cooldown()).isEqualTo(CooldownKind.NONE);
        assertThat(Verdict.FATAL.cooldown()).isEqualTo(CooldownKind.NONE);
    }
}
