package dev.tokenproxy.domain.attempt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AttemptOutcomeTest {

    @ParameterizedTest
    @CsvSource({"199,false", "200,true", "204,true", "299,true", "300,false", "404,false", "500,false"})
    void successIs2xxExactlyForStatuses200To299(int status, boolean expected) {
        assertThat(new AttemptOutcome.Success<>(status, "body").is2xx()).isEqualTo(expected);
    }

    @Test
    void aRetryableMayHaveNoUpstreamResponse() {
        var outcome = new AttemptOutcome.Retryable<String>(RetryReason.CONNECT_FAILED, 0, null, CooldownRule.TRANSIENT);

        assertThat(outcome.upstreamResponse()).isEmpty();
    }

    @Test
    void aRetryableKeepsTheUpstreamResponseForTheFinalAnswer() {
        var outcome = new AttemptOutcome.Retryable<>(RetryReason.SERVER_ERROR, 503, "busy", CooldownRule.TRANSIENT);

        assertThat(outcome.upstreamResponse()).contains("busy");
    }

    @Test
    void deliverableOutcomesRequireAResponse() {
        assertThatNullPointerException().isThrownBy(() -> new AttemptOutcome.Success<>(200, null));
        assertThatNullPointerException().isThrownBy(() -> new AttemptOutcome.Fatal<>(400, null));
    }

    @Test
    void aRetryableRequiresAReasonAndACooldownRule() {
        assertThatNullPointerException()
                .isThrownBy(() -> new AttemptOutcome.Retryable<>(null, 503, "x", CooldownRule.TRANSIENT));
        assertThatNullPointerException()
                .isThrownBy(() -> new AttemptOutcome.Retryable<>(RetryReason.SERVER_ERROR, 503, "x", null));
    }

    @Test
    void aSkippedAuthSaysWhy() {
        assertThatNullPointerException().isThrownBy(() -> new AttemptOutcome.SkippedAuth<>(null));
        assertThat(new AttemptOutcome.SkippedAuth<>("no token").why()).isEqualTo("no token");
    }
}
