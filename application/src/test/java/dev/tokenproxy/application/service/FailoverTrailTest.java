package dev.tokenproxy.application.service;

import static dev.tokenproxy.application.fakes.Outcomes.bodyOf;
import static dev.tokenproxy.application.fakes.Outcomes.connectRefused;
import static dev.tokenproxy.application.fakes.Outcomes.deliverable;
import static dev.tokenproxy.application.fakes.Outcomes.serverError;
import static dev.tokenproxy.application.fakes.Outcomes.timedOut;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.GatewayFailure;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The final answer of behaviour §4.5 when nothing was delivered. */
class FailoverTrailTest {

    private static final dev.tokenproxy.domain.cooldown.CredentialKey KEY =
            new dev.tokenproxy.domain.cooldown.CredentialKey("up", "key-1");

    private final Instant now = Instant.parse("2025-01-01T00:00:00Z");
    private final FailoverTrail trail = new FailoverTrail();

    private GatewayFailure failure() {
        var result = trail.finalResult(now);
        assertThat(result).isInstanceOf(ForwardResult.Failed.class);
        return ((ForwardResult.Failed) result).failure();
    }

    @Test
    void roundsTheRetryAfterOfAllCoolingUpToWholeSeconds() {
        trail.candidates(2);
        trail.allCooling(now.plusMillis(30_001));
        trail.allCooling(now.plusSeconds(12));

        var failed = (ForwardResult.Failed) trail.finalResult(now);

        assertThat(failed.failure()).isEqualTo(GatewayFailure.ALL_COOLING);
        assertThat(failed.retryAfter()).contains(Duration.ofSeconds(12));
    }

    @Test
    void neverAsksForLessThanOneSecond() {
        trail.candidates(1);
        trail.allCooling(now.plusMillis(10));

        assertThat(((ForwardResult.Failed) trail.finalResult(now)).retryAfter()).contains(Duration.ofSeconds(1));
    }

    @Test
    void answersNoConfiguredCredentialOnlyWhenEveryCandidateWasSkipped() {
        trail.candidates(2);
        trail.skippedForCredentials();
        trail.skippedForCredentials();

        assertThat(failure()).isEqualTo(GatewayFailure.NO_CONFIGURED_CREDENTIAL);
    }

    @Test
    void prefersARememberedUpstreamReplyToATimeout() {
        trail.candidates(2);
        trail.attempted(KEY, deliverable(404, "a 404"));
        trail.attempted(KEY, timedOut());

        var result = trail.finalResult(now);

        assertThat(result).isInstanceOf(ForwardResult.Delivered.class);
        assertThat(bodyOf(((ForwardResult.Delivered) result).reply())).isEqualTo("a 404");
    }

    @Test
    void keepsTheLatestUpstreamReply() {
        trail.candidates(2);
        trail.attempted(KEY, serverError(500, "first"));
        trail.attempted(KEY, serverError(503, "second"));

        var reply = ((ForwardResult.Delivered) trail.finalResult(now)).reply();
        assertThat(reply.status()).isEqualTo(503);
        assertThat(bodyOf(reply)).isEqualTo("second");
    }

    @Test
    void answersTimeoutWhenTheDeadlinePassedWithoutAnyReply() {
        trail.candidates(1);
        trail.attempted(KEY, connectRefused());
        trail.deadlinePassed();

        assertThat(failure()).isEqualTo(GatewayFailure.TIMEOUT);
    }

    @Test
    void answersUpstreamUnavailableAfterTransportFailures() {
        trail.candidates(1);
        trail.attempted(KEY, connectRefused());

        assertThat(failure()).isEqualTo(GatewayFailure.UPSTREAM_UNAVAILABLE);
    }
}
