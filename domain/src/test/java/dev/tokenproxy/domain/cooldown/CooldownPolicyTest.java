package dev.tokenproxy.domain.cooldown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.tokenproxy.domain.attempt.CooldownRule;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Behaviour §5 cooldown lengths, computed against a fixed instant (no clock reads). */
class CooldownPolicyTest {

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final CooldownPolicy POLICY = CooldownPolicy.DEFAULTS;

    @Test
    void defaultsAreTenSecondsBaseThirtyMaxFiveMinutesCredentialOneDayHintMax() {
        assertThat(POLICY).isEqualTo(new CooldownPolicy(
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(300), Duration.ofHours(24)));
    }

    @Test
    void aFirstTransientFailureCoolsForTheBaseLength() {
        var state = POLICY.afterFailure(CooldownRule.TRANSIENT, null, NOW);

        assertThat(state).isEqualTo(new CooldownState(NOW.plusSeconds(10), 1));
    }

    @Test
    void consecutiveTransientFailuresDoubleUpToTheMax() {
        var first = POLICY.afterFailure(CooldownRule.TRANSIENT, null, NOW);
        var t2 = first.until();
        var second = POLICY.afterFailure(CooldownRule.TRANSIENT, first, t2);
        var t3 = second.until();
        var third = POLICY.afterFailure(CooldownRule.TRANSIENT, second, t3);
        var t4 = third.until();
        var fourth = POLICY.afterFailure(CooldownRule.TRANSIENT, third, t4);

        assertThat(Duration.between(NOW, first.until())).hasSeconds(10);
        assertThat(Duration.between(t2, second.until())).hasSeconds(20);
        assertThat(Duration.between(t3, third.until())).hasSeconds(30);
        assertThat(Duration.between(t4, fourth.until())).hasSeconds(30);
    }

    @Test
    void aLongRunOfFailuresStaysAtTheMaxWithoutOverflowing() {
        var longRun = new CooldownState(NOW.minusSeconds(1), 10_000);

        var state = POLICY.afterFailure(CooldownRule.TRANSIENT, longRun, NOW);

        assertThat(state.until()).isEqualTo(NOW.plusSeconds(30));
        assertThat(state.consecutiveFailures()).isEqualTo(10_001);
    }

    @Test
    void doublingFollowsTheConfiguredBaseAndMax() {
        var policy = new CooldownPolicy(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofMinutes(10));
        CooldownState state = null;
        var lengths = new long[5];
        var at = NOW;
        for (int i = 0; i < lengths.length; i++) {
            state = policy.afterFailure(CooldownRule.TRANSIENT, state, at);
            lengths[i] = Duration.between(at, state.until()).toSeconds();
            at = state.until();
        }

        assertThat(lengths).containsExactly(1, 2, 4, 5, 5);
    }

    @Test
    void aCredentialFailureCoolsForTheCredentialLength() {
        var state = POLICY.afterFailure(CooldownRule.CREDENTIAL, null, NOW);

        assertThat(state).isEqualTo(new CooldownState(NOW.plusSeconds(300), 1));
    }

    @Test
    void aCredentialFailureDoesNotDoubleWithConsecutiveFailures() {
        var previous = new CooldownState(NOW.minusSeconds(1), 4);

        var state = POLICY.afterFailure(CooldownRule.CREDENTIAL, previous, NOW);

        assertThat(state.until()).isEqualTo(NOW.plusSeconds(300));
    }

    @Test
    void aHintedCooldownLastsAsLongAsTheHint() {
        var state = POLICY.afterFailure(CooldownRule.hinted(Duration.ofSeconds(90)), null, NOW);

        assertThat(state.until()).isEqualTo(NOW.plusSeconds(90));
    }

    @Test
    void aHintLongerThanTheHintMaxIsCapped() {
        var state = POLICY.afterFailure(CooldownRule.hinted(Duration.ofDays(7)), null, NOW);

        assertThat(state.until()).isEqualTo(NOW.plus(Duration.ofHours(24)));
    }

    @Test
    void aHintShorterThanTheTransientBaseIsStillHonoured() {
        var state = POLICY.afterFailure(CooldownRule.hinted(Duration.ofSeconds(2)), null, NOW);

        assertThat(state.until()).isEqualTo(NOW.plusSeconds(2));
    }

    @Test
    void noneLeavesAHealthyCredentialHealthy() {
        assertThat(POLICY.afterFailure(CooldownRule.NONE, null, NOW)).isNull();
    }

    @Test
    void noneReturnsThePreviousStateUnchanged() {
        var previous = new CooldownState(NOW.plusSeconds(7), 2);

        assertThat(POLICY.afterFailure(CooldownRule.NONE, previous, NOW)).isSameAs(previous);
    }

    @Test
    void aLaterShorterDeadlineNeverShortensAnEarlierLongerOne() {
        var credential = POLICY.afterFailure(CooldownRule.CREDENTIAL, null, NOW);

        var afterTransient = POLICY.afterFailure(CooldownRule.TRANSIENT, credential, NOW.plusSeconds(1));

        assertThat(afterTransient.until()).isEqualTo(NOW.plusSeconds(300));
    }

    @Test
    void aShorterHintNeverShortensALongerCooldown() {
        var previous = new CooldownState(NOW.plusSeconds(600), 1);

        var state = POLICY.afterFailure(CooldownRule.hinted(Duration.ofSeconds(5)), previous, NOW);

        assertThat(state.until()).isEqualTo(NOW.plusSeconds(600));
    }

    @Test
    void aLaterLongerDeadlineExtendsTheCooldown() {
        var transientState = POLICY.afterFailure(CooldownRule.TRANSIENT, null, NOW);

        var state = POLICY.afterFailure(CooldownRule.CREDENTIAL, transientState, NOW.plusSeconds(5));

        assertThat(state.until()).isEqualTo(NOW.plusSeconds(305));
    }

    @Test
    void everyCoolingFailureIncrementsTheFailureCounter() {
        var one = POLICY.afterFailure(CooldownRule.TRANSIENT, null, NOW);
        var two = POLICY.afterFailure(CooldownRule.CREDENTIAL, one, NOW);
        var three = POLICY.afterFailure(CooldownRule.hinted(Duration.ofSeconds(1)), two, NOW);
        var stillThree = POLICY.afterFailure(CooldownRule.NONE, three, NOW);

        assertThat(one.consecutiveFailures()).isEqualTo(1);
        assertThat(two.consecutiveFailures()).isEqualTo(2);
        assertThat(three.consecutiveFailures()).isEqualTo(3);
        assertThat(stillThree.consecutiveFailures()).isEqualTo(3);
    }

    @Test
    void anExpiredStateIsRememberedForTwiceTheMaxSoTheNextFailureStillDoubles() {
        assertThat(POLICY.memory()).isEqualTo(Duration.ofSeconds(60));

        var expired = new CooldownState(NOW.minusSeconds(5), 1);
        var state = POLICY.afterFailure(CooldownRule.TRANSIENT, expired, NOW);

        assertThat(state.until()).isEqualTo(NOW.plusSeconds(20));
    }

    @Test
    void aMaxBelowTheBaseIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new CooldownPolicy(
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(300), Duration.ofHours(1)));
    }

    @Test
    void negativeDurationsAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new CooldownPolicy(
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(-1), Duration.ofHours(1)));
        assertThatIllegalArgumentException().isThrownBy(() -> new CooldownPolicy(
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(300), Duration.ofHours(-1)));
    }

    @Test
    void missingDurationsAreRejected() {
        assertThatNullPointerException().isThrownBy(() -> new CooldownPolicy(
                null, Duration.ofSeconds(30), Duration.ofSeconds(300), Duration.ofHours(1)));
    }
}
