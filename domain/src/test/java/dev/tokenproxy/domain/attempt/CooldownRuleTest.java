package dev.tokenproxy.domain.attempt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CooldownRuleTest {

    @Test
    void aHintedRuleKeepsItsDelay() {
        assertThat(CooldownRule.hinted(Duration.ofSeconds(90))).isEqualTo(new CooldownRule.Hinted(Duration.ofSeconds(90)));
        assertThat(((CooldownRule.Hinted) CooldownRule.hinted(Duration.ofSeconds(90))).delay())
                .isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void aNegativeHintBecomesZero() {
        var rule = (CooldownRule.Hinted) CooldownRule.hinted(Duration.ofSeconds(-5));

        assertThat(rule.delay()).isEqualTo(Duration.ZERO);
    }

    @Test
    void aHintedRuleNeedsADelay() {
        assertThatNullPointerException().isThrownBy(() -> CooldownRule.hinted(null));
    }

    @Test
    void theNamedRulesAreTheirVariants() {
        assertThat(CooldownRule.NONE).isInstanceOf(CooldownRule.None.class);
        assertThat(CooldownRule.TRANSIENT).isInstanceOf(CooldownRule.Transient.class);
        assertThat(CooldownRule.CREDENTIAL).isInstanceOf(CooldownRule.Credential.class);
    }
}
