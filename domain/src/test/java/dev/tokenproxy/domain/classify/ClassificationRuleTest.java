package dev.tokenproxy.domain.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.Verdict.CooldownKind;
import org.junit.jupiter.api.Test;

class ClassificationRuleTest {

    private static final Verdict RETRY = Verdict.retry(RetryReason.SERVER_ERROR, CooldownKind.TRANSIENT);

    @Test
    void aStatusRangeMatchesBothEndsAndNothingOutside() {
        var rule = ClassificationRule.status(520, 524, RETRY);

        assertThat(rule.matches(AttemptSignal.http("openai", 520))).isTrue();
        assertThat(rule.matches(AttemptSignal.http("openai", 524))).isTrue();
        assertThat(rule.matches(AttemptSignal.http("openai", 519))).isFalse();
        assertThat(rule.matches(AttemptSignal.http("openai", 525))).isFalse();
    }

    @Test
    void aStarProviderMatchesEveryProviderAndANamedOneOnlyItself() {
        var any = ClassificationRule.status(503, RETRY);
        var codexOnly = any.forProvider("codex");

        assertThat(any.matches(AttemptSignal.http("kiro", 503))).isTrue();
        assertThat(codexOnly.matches(AttemptSignal.http("codex", 503))).isTrue();
        assertThat(codexOnly.matches(AttemptSignal.http("openai", 503))).isFalse();
    }

    @Test
    void anErrorCodeRowMatchesOnlyThatCode() {
        var rule = ClassificationRule.status(400, 499, Verdict.FATAL).withErrorCode("context_length_exceeded");

        assertThat(rule.matches(AttemptSignal.http("openai", 400)
                .withError("invalid_request_error", "context_length_exceeded", false))).isTrue();
        assertThat(rule.matches(AttemptSignal.http("openai", 400)
                .withError("invalid_request_error", "other", false))).isFalse();
        assertThat(rule.matches(AttemptSignal.http("openai", 400))).isFalse();
    }

    @Test
    void anErrorTypeAndNamesParamRowNeedsBoth() {
        var rule = ClassificationRule.status(400, Verdict.FATAL)
                .withErrorType("invalid_request_error").withNamesParam(true);

        assertThat(rule.matches(AttemptSignal.http("openai", 400).withError("invalid_request_error", null, true)))
                .isTrue();
        assertThat(rule.matches(AttemptSignal.http("openai", 400).withError("invalid_request_error", null, false)))
                .isFalse();
        assertThat(rule.matches(AttemptSignal.http("openai", 400).withError("server_error", null, true)))
                .isFalse();
    }

    @Test
    void aStatusRowDoesNotMatchASignalThatCarriesAFault() {
        var rule = ClassificationRule.status(200, Verdict.SUCCESS);

        assertThat(rule.matches(AttemptSignal.http("openai", 200).withFault(Fault.EMPTY_COMPLETION))).isFalse();
    }

    @Test
    void aFaultRowMatchesThatFaultWhateverTheStatus() {
        var rule = ClassificationRule.fault(Fault.STREAM_BROKEN_BEFORE_OUTPUT, RETRY);

        assertThat(rule.matches(AttemptSignal.fault("openai", Fault.STREAM_BROKEN_BEFORE_OUTPUT))).isTrue();
        assertThat(rule.matches(AttemptSignal.http("openai", 200).withFault(Fault.STREAM_BROKEN_BEFORE_OUTPUT)))
                .isTrue();
        assertThat(rule.matches(AttemptSignal.fault("openai", Fault.CONNECTION_RESET))).isFalse();
        assertThat(rule.matches(AttemptSignal.http("openai", 200))).isFalse();
    }

    @Test
    void anInvertedStatusRangeIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> ClassificationRule.status(504, 502, RETRY));
    }
}
