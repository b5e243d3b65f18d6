package dev.tokenproxy.domain.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The account-pool policy of behaviour §3. */
class AccountPoolPolicyTest {

    private static final String BODY = "upstream body";

    private static AttemptOutcome<String> success(int status) {
        return new AttemptOutcome.Success<>(status, BODY);
    }

    private static AttemptOutcome<String> retryable(RetryReason reason, int status, CooldownRule cooldown) {
        return new AttemptOutcome.Retryable<>(reason, status, status == 0 ? null : BODY, cooldown);
    }

    enum Decision { DELIVER, TRY_NEXT, SKIP }

    static Stream<Arguments> outcomeToDecision() {
        return Stream.of(
                argumentSet("Success 200 stops and delivers", success(200), Decision.DELIVER),
                argumentSet("Success 204 stops and delivers", success(204), Decision.DELIVER),
                argumentSet("Success 404 tries the next account", success(404), Decision.TRY_NEXT),
                argumentSet("Success 409 tries the next account", success(409), Decision.TRY_NEXT),
                argumentSet("Success 302 tries the next account", success(302), Decision.TRY_NEXT),
                argumentSet("Retryable 503 tries the next account",
                        retryable(RetryReason.SERVER_ERROR, 503, CooldownRule.TRANSIENT), Decision.TRY_NEXT),
                argumentSet("Retryable 429 hinted tries the next account",
                        retryable(RetryReason.RATE_LIMITED, 429, CooldownRule.hinted(Duration.ofSeconds(60))),
                        Decision.TRY_NEXT),
                argumentSet("Retryable 401 tries the next account",
                        retryable(RetryReason.CREDENTIAL_REJECTED, 401, CooldownRule.CREDENTIAL), Decision.TRY_NEXT),
                argumentSet("Retryable transport failure tries the next account",
                        retryable(RetryReason.CONNECT_FAILED, 0, CooldownRule.TRANSIENT), Decision.TRY_NEXT),
                argumentSet("Retryable empty completion tries the next account",
                        retryable(RetryReason.EMPTY_COMPLETION, 502, CooldownRule.NONE), Decision.TRY_NEXT),
                argumentSet("Fatal stops and delivers", new AttemptOutcome.Fatal<>(400, BODY), Decision.DELIVER),
                argumentSet("SkippedAuth stops the pool", new AttemptOutcome.SkippedAuth<String>("no token"),
                        Decision.SKIP));
    }

    @ParameterizedTest
    @MethodSource("outcomeToDecision")
    void afterAttemptMapsEachOutcomeToItsPoolDecision(AttemptOutcome<String> outcome, Decision decision) {
        PoolStep<String> step = AccountPoolPolicy.afterAttempt(outcome);

        switch (decision) {
            case DELIVER -> assertThat(step).isEqualTo(new PoolStep.Deliver<>(outcome));
            case TRY_NEXT -> assertThat(step).isEqualTo(new PoolStep.TryNext<>(outcome));
            case SKIP -> assertThat(step).isEqualTo(new PoolStep.Skip<String>());
        }
    }

    @Test
    void nonTwoHundredSuccessMovesToNextAccountAndIsRemembered() {
        var notFound = success(404);

        var step = AccountPoolPolicy.afterAttempt(notFound);

        assertThat(step).isInstanceOfSatisfying(PoolStep.TryNext.class,
                next -> assertThat(next.remembered()).isSameAs(notFound));
    }

    @Test
    void nextIsTheFirstAccountInPoolOrder() {
        assertThat(AccountPoolPolicy.next(List.of("c", "a", "b"), Set.of(), a -> false)).contains("c");
    }

    @Test
    void nextSkipsAccountsAlreadyTriedInThisRequest() {
        assertThat(AccountPoolPolicy.next(List.of("a", "b", "c"), Set.of("a"), a -> false)).contains("b");
    }

    @Test
    void nextSkipsCoolingAccountsAndKeepsPoolOrder() {
        var cooling = Set.of("a", "c");

        assertThat(AccountPoolPolicy.next(List.of("a", "b", "c", "d"), Set.of(), cooling::contains)).contains("b");
        assertThat(AccountPoolPolicy.next(List.of("a", "b", "c", "d"), Set.of("b"), cooling::contains)).contains("d");
    }

    @Test
    void nextIsEmptyWhenEveryAccountIsTriedOrCooling() {
        assertThat(AccountPoolPolicy.next(List.of("a", "b", "c"), Set.of("a", "b"), "c"::equals)).isEmpty();
    }

    @Test
    void nextOfAnEmptyPoolIsEmpty() {
        assertThat(AccountPoolPolicy.next(List.<String>of(), Set.of(), a -> false)).isEmpty();
    }

    @Test
    void aPinnedUpstreamIsAPoolOfOneAndNeverSwitchesAccount() {
        assertThat(AccountPoolPolicy.next(List.of("pinned"), Set.of(), a -> false)).contains("pinned");
        assertThat(AccountPoolPolicy.next(List.of("pinned"), Set.of("pinned"), a -> false)).isEmpty();
    }

    @Test
    void whenExhaustedARememberedNonTwoHundredSuccessBecomesRetryableKeepingResponseAndStatus() {
        var result = AccountPoolPolicy.whenExhausted(success(404));

        assertThat(result).isEqualTo(
                new AttemptOutcome.Retryable<>(RetryReason.UPSTREAM_REJECTED, 404, BODY, CooldownRule.NONE));
    }

    @Test
    void whenExhaustedTheRejectedResponseCanStillBeDeliveredVerbatim() {
        var result = AccountPoolPolicy.whenExhausted(success(409));

        assertThat(result).isInstanceOfSatisfying(AttemptOutcome.Retryable.class,
                r -> assertThat(r.upstreamResponse()).containsSame(BODY));
    }

    static Stream<Arguments> outcomesLeftAlone() {
        return Stream.of(
                argumentSet("Success 200", success(200)),
                argumentSet("Retryable 503", retryable(RetryReason.SERVER_ERROR, 503, CooldownRule.TRANSIENT)),
                argumentSet("Retryable transport", retryable(RetryReason.CONNECTION_RESET, 0, CooldownRule.TRANSIENT)),
                argumentSet("Fatal", new AttemptOutcome.Fatal<>(400, BODY)),
                argumentSet("SkippedAuth", new AttemptOutcome.SkippedAuth<String>("no token")));
    }

    @ParameterizedTest
    @MethodSource("outcomesLeftAlone")
    void whenExhaustedLeavesEveryOtherOutcomeAlone(AttemptOutcome<String> remembered) {
        assertThat(AccountPoolPolicy.whenExhausted(remembered)).isSameAs(remembered);
    }
}
