package dev.tokenproxy.application.service;

import static dev.tokenproxy.application.fakes.Outcomes.bodyOf;
import static dev.tokenproxy.application.fakes.Outcomes.connectRefused;
import static dev.tokenproxy.application.fakes.Outcomes.deliverable;
import static dev.tokenproxy.application.fakes.Outcomes.serverError;
import static dev.tokenproxy.application.fakes.Outcomes.timedOut;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.RecordOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The final answer of behaviour §4.5 when nothing was delivered. */
class FailoverTrailTest {

    private static final dev.tokenproxy.domain.cooldown.CredentialKey KEY =
            new dev.tokenproxy.domain.cooldown.CredentialKey("up", "key-1");

    private static final Candidate CANDIDATE = new Candidate(dev.tokenproxy.application.model.Upstream.withApiKeys(
            "up", "openai", java.net.URI.create("http://127.0.0.1:1"), java.util.List.of()), null, "m");

    private final Instant now = Instant.parse("2025-01-01T00:00:00Z");
    private final List<List<AttemptRecord>> written = new ArrayList<>();
    private final FailoverTrail trail = new FailoverTrail(new ForwardRequestCommand(InboundFormat.CHAT, "m", false,
            new byte[0], Set.of("*"), "req-1"), Clock.fixed(now, ZoneOffset.UTC), written::add);

    private GatewayFailure failure() {
        var result = trail.finalResult();
        assertThat(result).isInstanceOf(ForwardResult.Failed.class);
        return ((ForwardResult.Failed) result).failure();
    }

    @Test
    void roundsTheRetryAfterOfAllCoolingUpToWholeSeconds() {
        trail.candidates(2);
        trail.allCooling(now.plusMillis(30_001));
        trail.allCooling(now.plusSeconds(12));

        var failed = (ForwardResult.Failed) trail.finalResult();

        assertThat(failed.failure()).isEqualTo(GatewayFailure.ALL_COOLING);
        assertThat(failed.retryAfter()).contains(Duration.ofSeconds(12));
    }

    @Test
    void neverAsksForLessThanOneSecond() {
        trail.candidates(1);
        trail.allCooling(now.plusMillis(10));

        assertThat(((ForwardResult.Failed) trail.finalResult()).retryAfter()).contains(Duration.ofSeconds(1));
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
        trail.attempted(CANDIDATE, KEY, deliverable(404, "a 404"), now);
        trail.attempted(CANDIDATE, KEY, timedOut(), now);

        var result = trail.finalResult();

        assertThat(result).isInstanceOf(ForwardResult.Delivered.class);
        assertThat(bodyOf(((ForwardResult.Delivered) result).reply())).isEqualTo("a 404");
    }

    @Test
    void keepsTheLatestUpstreamReply() {
        trail.candidates(2);
        trail.attempted(CANDIDATE, KEY, serverError(500, "first"), now);
        trail.attempted(CANDIDATE, KEY, serverError(503, "second"), now);

        var reply = ((ForwardResult.Delivered) trail.finalResult()).reply();
        assertThat(reply.status()).isEqualTo(503);
        assertThat(bodyOf(reply)).isEqualTo("second");
    }

    @Test
    void answersTimeoutWhenTheDeadlinePassedWithoutAnyReply() {
        trail.candidates(1);
        trail.attempted(CANDIDATE, KEY, connectRefused(), now);
        trail.deadlinePassed();

        assertThat(failure()).isEqualTo(GatewayFailure.TIMEOUT);
    }

    @Test
    void answersUpstreamUnavailableAfterTransportFailures() {
        trail.candidates(1);
        trail.attempted(CANDIDATE, KEY, connectRefused(), now);

        assertThat(failure()).isEqualTo(GatewayFailure.UPSTREAM_UNAVAILABLE);
    }

    @Test
    void billsTheRememberedReplyTheClientGotAndNothingElse() {
        trail.candidates(2);
        trail.attempted(CANDIDATE, KEY, serverError(500, "first"), now);
        trail.attempted(CANDIDATE, KEY, connectRefused(), now);

        trail.finalResult();

        assertThat(written).hasSize(1);
        assertThat(written.getFirst()).extracting(AttemptRecord::attempt).containsExactly(1, 2);
        assertThat(written.getFirst()).extracting(AttemptRecord::billable).containsExactly(true, false);
    }

    @Test
    void billsTheGatewaysOwnAnswerAfterFailedAttempts() {
        trail.candidates(1);
        trail.attempted(CANDIDATE, KEY, connectRefused(), now);

        failure();

        var records = written.getFirst();
        assertThat(records).extracting(AttemptRecord::outcome)
                .containsExactly(RecordOutcome.RETRYABLE, RecordOutcome.GATEWAY_ERROR);
        assertThat(records.getLast().billable()).isTrue();
        assertThat(records.getLast().status()).isEqualTo(502);
    }

    @Test
    void recordsARefusalWithoutAttemptsAsNotBillable() {
        trail.candidates(2);
        trail.skippedForCredentials();
        trail.skippedForCredentials();

        failure();

        assertThat(written.getFirst()).singleElement().satisfies(record -> {
            assertThat(record.attempt()).isZero();
            assertThat(record.billable()).isFalse();
            assertThat(record.outcome()).isEqualTo(RecordOutcome.REFUSED);
        });
    }
}
