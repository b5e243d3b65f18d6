package dev.tokenproxy.domain.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.tokenproxy.domain.account.CredentialState;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The failover rule as a table: every kind of outcome × pinned or not × last available credential or not. */
class FailoverPolicyTest {

    private static final Duration HINT = Duration.ofSeconds(30);
    private static final Function<String, CredentialState> ALL_AVAILABLE = c -> CredentialState.AVAILABLE;

    private static AttemptOutcome<String> retryable(RetryReason reason, int status, CooldownRule cooldown) {
        return new AttemptOutcome.Retryable<>(reason, status, "body", cooldown);
    }

    /** What the pool does once in-place resends and refreshes are spent (or do not apply). */
    private enum Expected { DELIVER, NEXT_OR_SKIP, SKIP_AS_UNAUTHENTICATED }

    static List<Arguments.ArgumentSet> outcomes() {
        return List.of(
                argumentSet("Success 200", new AttemptOutcome.Success<>(200, "body"), Expected.DELIVER),
                argumentSet("Success 201", new AttemptOutcome.Success<>(201, "body"), Expected.DELIVER),
                argumentSet("Success 404", new AttemptOutcome.Success<>(404, "body"), Expected.NEXT_OR_SKIP),
                argumentSet("Success 409", new AttemptOutcome.Success<>(409, "body"), Expected.NEXT_OR_SKIP),
                argumentSet("Fatal 400", new AttemptOutcome.Fatal<>(400, "body"), Expected.DELIVER),
                argumentSet("SkippedAuth", new AttemptOutcome.SkippedAuth<String>("needs login"),
                        Expected.SKIP_AS_UNAUTHENTICATED),
                argumentSet("429", retryable(RetryReason.RATE_LIMITED, 429, CooldownRule.TRANSIENT),
                        Expected.NEXT_OR_SKIP),
                argumentSet("429 usage limit with reset hint",
                        retryable(RetryReason.RATE_LIMITED, 429, CooldownRule.hinted(HINT)), Expected.NEXT_OR_SKIP),
                argumentSet("500", retryable(RetryReason.SERVER_ERROR, 500, CooldownRule.TRANSIENT),
                        Expected.NEXT_OR_SKIP),
                argumentSet("401", retryable(RetryReason.CREDENTIAL_REJECTED, 401, CooldownRule.CREDENTIAL),
                        Expected.NEXT_OR_SKIP),
                argumentSet("403", retryable(RetryReason.CREDENTIAL_REJECTED, 403, CooldownRule.CREDENTIAL),
                        Expected.NEXT_OR_SKIP),
                argumentSet("refresh failed", retryable(RetryReason.REFRESH_FAILED, 0, CooldownRule.TRANSIENT),
                        Expected.NEXT_OR_SKIP),
                argumentSet("empty completion", retryable(RetryReason.EMPTY_COMPLETION, 502, CooldownRule.NONE),
                        Expected.NEXT_OR_SKIP),
                argumentSet("timeout", retryable(RetryReason.TIMED_OUT, 0, CooldownRule.TRANSIENT),
                        Expected.NEXT_OR_SKIP),
                argumentSet("stream broken before output",
                        retryable(RetryReason.STREAM_FAILED_BEFORE_OUTPUT, 200, CooldownRule.TRANSIENT),
                        Expected.NEXT_OR_SKIP));
    }

    static Stream<Arguments> table() {
        var rows = new ArrayList<Arguments>();
        for (var outcome : outcomes()) {
            for (boolean pinned : new boolean[] {false, true}) {
                for (boolean last : new boolean[] {false, true}) {
                    var args = outcome.get();
                    rows.add(argumentSet(outcome.getName() + (pinned ? ", pinned" : ", pool")
                            + (last ? ", last" : ", not last"), args[0], args[1], pinned, last));
                }
            }
        }
        return rows.stream();
    }

    @ParameterizedTest
    @MethodSource("table")
    void afterResendsAndRefreshAreSpentTheOutcomeDecides(AttemptOutcome<String> outcome, Expected expected,
                                                          boolean pinned, boolean last) {
        var pool = pinned ? new FailoverPolicy.Pool<>(List.of("a"), true)
                : new FailoverPolicy.Pool<>(List.of("a", "b"), false);
        Set<String> tried = last ? Set.of("a", "b") : Set.of("a");
        var attempt = new FailoverPolicy.Attempt<>(true, true, 0, tried);

        var decision = FailoverPolicy.decide(outcome, attempt, pool, ALL_AVAILABLE);

        switch (expected) {
            case DELIVER -> assertThat(decision).isEqualTo(new FailoverDecision.Deliver<>(outcome));
            case SKIP_AS_UNAUTHENTICATED -> assertThat(decision).isEqualTo(new FailoverDecision.SkipUpstream<>(outcome));
            case NEXT_OR_SKIP -> {
                if (!pinned && !last) {
                    assertThat(decision).isEqualTo(new FailoverDecision.NextCredential<>("b"));
                } else {
                    assertThat(decision).isInstanceOfSatisfying(FailoverDecision.SkipUpstream.class,
                            skip -> assertThat(skip.poolResult()).isInstanceOf(AttemptOutcome.Retryable.class));
                }
            }
        }
    }

    @Test
    void aRejectionThatEndsThePoolIsRememberedAsRetryableWithItsResponseSoTheNextUpstreamStillRuns() {
        var notFound = new AttemptOutcome.Success<>(404, "not here");

        var decision = FailoverPolicy.decide(notFound, new FailoverPolicy.Attempt<>(false, false, 1, Set.of("a")),
                new FailoverPolicy.Pool<>(List.of("a"), false), ALL_AVAILABLE);

        assertThat(decision).isEqualTo(new FailoverDecision.SkipUpstream<>(new AttemptOutcome.Retryable<>(
                RetryReason.UPSTREAM_REJECTED, 404, "not here", CooldownRule.NONE)));
    }

    @Test
    void aFailureThatEndsThePoolIsThePoolsResultAsItWas() {
        var reset = retryable(RetryReason.RATE_LIMITED, 429, CooldownRule.TRANSIENT);

        var decision = FailoverPolicy.decide(reset, new FailoverPolicy.Attempt<>(false, false, 0, Set.of("a")),
                new FailoverPolicy.Pool<>(List.of("a"), false), ALL_AVAILABLE);

        assertThat(decision).isEqualTo(new FailoverDecision.SkipUpstream<>(reset));
    }

    // --- refresh then resend -----------------------------------------------------------------------------------

    @Test
    void a401OfARefreshableAccountIsRefreshedOnceThenResentPinnedOrNot() {
        var expired = retryable(RetryReason.CREDENTIAL_REJECTED, 401, CooldownRule.CREDENTIAL);
        for (boolean pinned : new boolean[] {false, true}) {
            var pool = new FailoverPolicy.Pool<>(List.of("a", "b"), pinned);

            assertThat(FailoverPolicy.decide(expired, new FailoverPolicy.Attempt<>(true, false, 1, Set.of("a")), pool,
                    ALL_AVAILABLE)).isEqualTo(new FailoverDecision.RefreshThenResend<>());
            assertThat(FailoverPolicy.decide(expired, new FailoverPolicy.Attempt<>(true, true, 1, Set.of("a")), pool,
                    ALL_AVAILABLE)).as("the second 401 after a refresh").isNotEqualTo(
                    new FailoverDecision.RefreshThenResend<>());
        }
    }

    @Test
    void onlyA401ofARefreshableCredentialAsksForARefresh() {
        var pool = new FailoverPolicy.Pool<>(List.of("a", "b"), false);
        var apiKey = new FailoverPolicy.Attempt<>(false, false, 1, Set.of("a"));
        var account = new FailoverPolicy.Attempt<>(true, false, 1, Set.of("a"));

        assertThat(FailoverPolicy.decide(retryable(RetryReason.CREDENTIAL_REJECTED, 401, CooldownRule.CREDENTIAL),
                apiKey, pool, ALL_AVAILABLE)).isEqualTo(new FailoverDecision.NextCredential<>("b"));
        assertThat(FailoverPolicy.decide(retryable(RetryReason.CREDENTIAL_REJECTED, 403, CooldownRule.CREDENTIAL),
                account, pool, ALL_AVAILABLE)).isEqualTo(new FailoverDecision.NextCredential<>("b"));
        assertThat(FailoverPolicy.decide(retryable(RetryReason.CREDENTIAL_REJECTED, 402, CooldownRule.CREDENTIAL),
                account, pool, ALL_AVAILABLE)).isEqualTo(new FailoverDecision.NextCredential<>("b"));
    }

    // --- resend in place -----------------------------------------------------------------------------------------

    static Stream<Arguments> resentInPlace() {
        return Stream.of(
                argumentSet("500 without hint", retryable(RetryReason.SERVER_ERROR, 500, CooldownRule.TRANSIENT)),
                argumentSet("529 without hint", retryable(RetryReason.SERVER_ERROR, 529, CooldownRule.TRANSIENT)),
                argumentSet("connect refused", retryable(RetryReason.CONNECT_FAILED, 0, CooldownRule.TRANSIENT)),
                argumentSet("connection reset", retryable(RetryReason.CONNECTION_RESET, 0, CooldownRule.TRANSIENT)),
                argumentSet("stream failed before output",
                        retryable(RetryReason.STREAM_FAILED_BEFORE_OUTPUT, 200, CooldownRule.TRANSIENT)));
    }

    @ParameterizedTest
    @MethodSource("resentInPlace")
    void transientFailuresWithoutAWaitHintAreResentInPlaceWhileResendsAreLeft(AttemptOutcome<String> outcome) {
        var pool = new FailoverPolicy.Pool<>(List.of("a", "b"), false);

        assertThat(FailoverPolicy.decide(outcome, new FailoverPolicy.Attempt<>(true, false, 1, Set.of("a")), pool,
                ALL_AVAILABLE)).isEqualTo(new FailoverDecision.ResendInPlace<>());
        assertThat(FailoverPolicy.decide(outcome, new FailoverPolicy.Attempt<>(true, false, 0, Set.of("a")), pool,
                ALL_AVAILABLE)).isEqualTo(new FailoverDecision.NextCredential<>("b"));
    }

    static Stream<Arguments> neverResentInPlace() {
        return Stream.of(
                argumentSet("429", retryable(RetryReason.RATE_LIMITED, 429, CooldownRule.TRANSIENT)),
                argumentSet("429 hinted", retryable(RetryReason.RATE_LIMITED, 429, CooldownRule.hinted(HINT))),
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
                argumentSet("refresh failed", retryable(RetryReason.REFRESH_FAILED, 0, CooldownRule.TRANSIENT)),
                argumentSet("bad response", retryable(RetryReason.BAD_RESPONSE, 502, CooldownRule.TRANSIENT)),
                argumentSet("empty completion", retryable(RetryReason.EMPTY_COMPLETION, 502, CooldownRule.NONE)));
    }

    @ParameterizedTest
    @MethodSource("neverResentInPlace")
    void everythingElseFailsOverInsteadOfBeingResentInPlace(AttemptOutcome<String> outcome) {
        var decision = FailoverPolicy.decide(outcome, new FailoverPolicy.Attempt<>(false, true, 5, Set.of("a")),
                new FailoverPolicy.Pool<>(List.of("a", "b"), false), ALL_AVAILABLE);

        assertThat(decision).isEqualTo(new FailoverDecision.NextCredential<>("b"));
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
    void thePolicyAgreesWithTheDefaultClassificationOfWhatCameBack(AttemptSignal signal, boolean inPlace) {
        var outcome = ClassificationTable.defaults().outcome(signal, "body");

        var decision = FailoverPolicy.decide(outcome, new FailoverPolicy.Attempt<>(false, false, 1, Set.of("a")),
                new FailoverPolicy.Pool<>(List.of("a", "b"), false), ALL_AVAILABLE);

        assertThat(decision instanceof FailoverDecision.ResendInPlace).isEqualTo(inPlace);
    }

    // --- choosing credentials ------------------------------------------------------------------------------------

    @Test
    void theNextCredentialIsTheFirstUntriedAvailableOneInPoolOrder() {
        Instant until = Instant.parse("2026-12-02T12:00:00Z");
        var states = Map.<String, CredentialState>of("a", CredentialState.AVAILABLE,
                "b", new CredentialState.Cooling(until), "c", new CredentialState.Disabled(),
                "d", new CredentialState.NeedsLogin(), "e", CredentialState.AVAILABLE);
        var pool = new FailoverPolicy.Pool<>(List.of("a", "b", "c", "d", "e"), false);

        var decision = FailoverPolicy.decide(retryable(RetryReason.RATE_LIMITED, 429, CooldownRule.TRANSIENT),
                new FailoverPolicy.Attempt<>(false, false, 0, Set.of("a")), pool, states::get);

        assertThat(decision).isEqualTo(new FailoverDecision.NextCredential<>("e"));
        assertThat(FailoverPolicy.firstCredential(pool, states::get)).contains("a");
        assertThat(FailoverPolicy.firstCredential(new FailoverPolicy.Pool<>(List.of("b", "c", "d"), false),
                states::get)).isEmpty();
    }

    @Test
    void credentialStateFollowsTheStatusFirstAndTheCoolingDeadlineSecond() {
        Instant now = Instant.parse("2026-12-02T12:00:00Z");
        var dis = dev.tokenproxy.domain.account.AccountStatus.DISABLED;
        var active = dev.tokenproxy.domain.account.AccountStatus.ACTIVE;
        var login = dev.tokenproxy.domain.account.AccountStatus.NEEDS_LOGIN;

        assertThat(CredentialState.of(dis, Optional.empty(), now)).isEqualTo(new CredentialState.Disabled());
        assertThat(CredentialState.of(login, Optional.of(now.plusSeconds(5)), now))
                .isEqualTo(new CredentialState.NeedsLogin());
        assertThat(CredentialState.of(active, Optional.of(now.plusSeconds(5)), now))
                .isEqualTo(new CredentialState.Cooling(now.plusSeconds(5)));
        assertThat(CredentialState.of(active, Optional.of(now), now)).as("expired: half-open")
                .isEqualTo(CredentialState.AVAILABLE);
    }
}
