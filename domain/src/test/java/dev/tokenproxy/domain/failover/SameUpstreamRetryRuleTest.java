package dev.tokenproxy.domain.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Behaviour §4.3: resend in place only for transient failures that carry no wait hint. */
class SameUpstreamRetryRuleTest {

    private static final Duration HINT = Duration.ofSeconds(30);

    private static AttemptOutcome<String> retryable(RetryReason reason, int status, CooldownRule cooldown) {
        return new AttemptOutcome.Retryable<>(reason, status, "body", cooldown);
    }

    static Stream<Arguments> allowed() {
        return Stream.of(
                argumentSet("500 without hint", retryable(RetryReason.SERVER_ERROR, 500, CooldownRule.TRANSIENT)),
                argumentSet("503 without hint", retryable(RetryReason.SERVER_ERROR, 503, CooldownRule.TRANSIENT)),
                argumentSet("529 without hint", retryable(RetryReason.SERVER_ERROR, 529, CooldownRule.TRANSIENT)),
                argumentSet("connect refused", retryable(RetryReason.CONNECT_FAILED, 0, CooldownRule.TRANSIENT)),
                argumentSet("connection reset", retryable(RetryReason.CONNECTION_RESET, 0, CooldownRule.TRANSIENT)),
                argumentSet("stream failed before output",
                        retryable(RetryReason.STREAM_FAILED_BEFORE_OUTPUT, 200, CooldownRule.TRANSIENT)));
    }

    @ParameterizedTest
    @MethodSource("allowed")
    void transientFailuresWithoutAWaitHintAllowAnInPlaceRetry(AttemptOutcome<String> outcome) {
        assertThat(SameUpstreamRetryRule.allowsInPlaceRetry(outcome)).isTrue();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                argumentSet("429", retryable(RetryReason.RATE_LIMITED, 429, CooldownRule.TRANSIENT)),
                argumentSet("429 hinted", retryable(RetryReason.RATE_LIMITED, 429, CooldownRule.hinted(HINT))),
                argumentSet("401 credential", retryable(RetryReason.CREDENTIAL_REJECTED, 401, CooldownRule.CREDENTIAL)),
                argumentSet("402 credential", retryable(RetryReason.CREDENTIAL_REJECTED, 402, CooldownRule.CREDENTIAL)),
                argumentSet("403 credential", retryable(RetryReason.CREDENTIAL_REJECTED, 403, CooldownRule.CREDENTIAL)),
                argumentSet("503 with Retry-After", retryable(RetryReason.SERVER_ERROR, 503, CooldownRule.hinted(HINT))),
                argumentSet("503 with Retry-After: 0",
                        retryable(RetryReason.SERVER_ERROR, 503, CooldownRule.hinted(Duration.ZERO))),
                argumentSet("connection reset with a hint",
                        retryable(RetryReason.CONNECTION_RESET, 0, CooldownRule.hinted(HINT))),
                argumentSet("timeout of a silent upstream", retryable(RetryReason.TIMED_OUT, 0, CooldownRule.TRANSIENT)),
                argumentSet("408", retryable(RetryReason.UPSTREAM_REQUEST_TIMEOUT, 408, CooldownRule.TRANSIENT)),
                argumentSet("TLS failure", retryable(RetryReason.TLS_FAILED, 0, CooldownRule.TRANSIENT)),
                argumentSet("empty completion", retryable(RetryReason.EMPTY_COMPLETION, 502, CooldownRule.NONE)),
                argumentSet("exhausted pool's rejection",
                        retryable(RetryReason.UPSTREAM_REJECTED, 404, CooldownRule.NONE)),
                argumentSet("Success 200", new AttemptOutcome.Success<>(200, "body")),
                argumentSet("Success 404", new AttemptOutcome.Success<>(404, "body")),
                argumentSet("Fatal", new AttemptOutcome.Fatal<>(400, "body")),
                argumentSet("SkippedAuth", new AttemptOutcome.SkippedAuth<String>("no key")));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void everythingElseFailsOverInsteadOfRetryingInPlace(AttemptOutcome<String> outcome) {
        assertThat(SameUpstreamRetryRule.allowsInPlaceRetry(outcome)).isFalse();
    }

    static Stream<Arguments> classifiedSignals() {
        return Stream.of(
                argumentSet("502 from the wire", AttemptSignal.http("openai", 502), true),
                argumentSet("502 with Retry-After from the wire",
                        AttemptSignal.http("openai", 502).withWaitHint(Optional.of(HINT)), false),
                argumentSet("429 from the wire", AttemptSignal.http("openai", 429), false),
                argumentSet("idle timeout from the wire", AttemptSignal.fault("openai", Fault.IDLE_TIMEOUT), false),
                argumentSet("connect refused from the wire",
                        AttemptSignal.fault("openai", Fault.CONNECT_REFUSED), true),
                argumentSet("empty completion from the wire",
                        AttemptSignal.http("openai", 200).withFault(Fault.EMPTY_COMPLETION), false));
    }

    @ParameterizedTest
    @MethodSource("classifiedSignals")
    void theRuleAgreesWithTheDefaultClassificationOfWhatCameBack(AttemptSignal signal, boolean allowed) {
        var outcome = ClassificationTable.defaults().outcome(signal, "body");

        assertThat(SameUpstreamRetryRule.allowsInPlaceRetry(outcome)).isEqualTo(allowed);
    }
}
