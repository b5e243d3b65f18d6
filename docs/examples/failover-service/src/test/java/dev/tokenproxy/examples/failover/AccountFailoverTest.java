package dev.tokenproxy.examples.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import dev.tokenproxy.domain.failover.FailoverDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccountFailoverTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final AccountFailover accounts = new AccountFailover(List.of("a", "b"), CooldownPolicy.DEFAULTS, 1);

    @Test
    void failsOverToTheNextAccountWhenRateLimited() {
        var request = accounts.start(NOW).orElseThrow();

        var decision = request.report(rateLimited(Duration.ofSeconds(60)), NOW);

        assertEquals(new FailoverDecision.NextCredential<String, String>("b"), decision);
        assertEquals("b", request.account());
    }

    @Test
    void resendsATransientFailureInPlaceOnceThenMovesOn() {
        var request = accounts.start(NOW).orElseThrow();
        var serverError = new AttemptOutcome.Retryable<>(RetryReason.SERVER_ERROR, 503, "busy", CooldownRule.TRANSIENT);

        assertInstanceOf(FailoverDecision.ResendInPlace.class, request.report(serverError, NOW));
        assertEquals(new FailoverDecision.NextCredential<String, String>("b"), request.report(serverError, NOW));
    }

    @Test
    void startsWithAnAccountAgainOnceItsCooldownEnded() {
        accounts.start(NOW).orElseThrow().report(rateLimited(Duration.ofSeconds(60)), NOW);

        assertEquals("b", accounts.start(NOW.plusSeconds(59)).orElseThrow().account());
        assertEquals("a", accounts.start(NOW.plusSeconds(60)).orElseThrow().account());
    }

    @Test
    void hasNoAccountToStartWithWhileAllAreCooling() {
        var request = accounts.start(NOW).orElseThrow();
        request.report(rateLimited(Duration.ofSeconds(60)), NOW);
        var last = request.report(rateLimited(Duration.ofSeconds(30)), NOW);

        assertInstanceOf(FailoverDecision.SkipUpstream.class, last);
        assertEquals(Optional.empty(), accounts.start(NOW.plusSeconds(1)).map(AccountFailover.Request::account));
        assertEquals(Optional.of(NOW.plusSeconds(30)), accounts.earliestRecovery(NOW.plusSeconds(1)));
    }

    @Test
    void successClosesTheCooldownSoTheNextFailureStartsFromTheBaseLength() {
        var transientFailure =
                new AttemptOutcome.Retryable<>(RetryReason.CONNECT_FAILED, 0, "refused", CooldownRule.TRANSIENT);
        var lonely = new AccountFailover(List.of("a"), CooldownPolicy.DEFAULTS, 0);
        lonely.start(NOW).orElseThrow().report(transientFailure, NOW);
        Instant probe = NOW.plusSeconds(10);

        lonely.start(probe).orElseThrow().report(new AttemptOutcome.Success<>(200, "hi"), probe);
        lonely.start(probe).orElseThrow().report(transientFailure, probe);

        assertTrue(lonely.start(probe.plusSeconds(9)).isEmpty(), "cooling for the base 10 s");
        assertTrue(lonely.start(probe.plusSeconds(10)).isPresent(), "not for a doubled 20 s");
    }

    private static AttemptOutcome<String> rateLimited(Duration retryAfter) {
        return new AttemptOutcome.Retryable<>(RetryReason.RATE_LIMITED, 429, "slow down",
                CooldownRule.hinted(retryAfter));
    }
}
