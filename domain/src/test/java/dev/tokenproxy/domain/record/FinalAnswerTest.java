package dev.tokenproxy.domain.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FinalAnswerTest {

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final FinalAnswer.Facts TRIED = new FinalAnswer.Facts(2, 0, Optional.empty(), false);

    @Test
    void everyCandidateCoolingAndNothingSentAnswersAllCooling() {
        var facts = new FinalAnswer.Facts(2, 0, Optional.of(NOW.plusSeconds(30)), false);
        assertThat(FinalAnswer.rank(List.of(), facts)).isEqualTo(new FinalAnswer.AllCooling(NOW.plusSeconds(30)));
    }

    @Test
    void everyCandidateSkippedForCredentialsAnswersNoUsableCredential() {
        var facts = new FinalAnswer.Facts(2, 2, Optional.empty(), false);
        assertThat(FinalAnswer.rank(List.of(), facts)).isInstanceOf(FinalAnswer.NoUsableCredential.class);
    }

    @Test
    void lastKeptUpstreamAnswerIsDeliveredVerbatim() {
        var trail = trail(failed(RetryReason.RATE_LIMITED, 429, true), failed(RetryReason.CONNECT_FAILED, 0, false));
        assertThat(FinalAnswer.rank(trail, TRIED)).isEqualTo(new FinalAnswer.Remembered(1));
    }

    @Test
    void refusedGatewayCredentialIsNamedByUpstreamNotShownAsTheClientsAuthFailure() {
        var trail = trail(failed(RetryReason.SERVER_ERROR, 500, true), failed(RetryReason.CREDENTIAL_REJECTED, 401, true));
        assertThat(FinalAnswer.rank(trail, TRIED)).isEqualTo(new FinalAnswer.CredentialRejected("up", 401));
    }

    @Test
    void aLaterKeptAnswerReplacesAnEarlierCredentialRefusal() {
        var trail = trail(failed(RetryReason.CREDENTIAL_REJECTED, 403, true), failed(RetryReason.SERVER_ERROR, 503, true));
        assertThat(FinalAnswer.rank(trail, TRIED)).isEqualTo(new FinalAnswer.Remembered(2));
    }

    @Test
    void aTimeoutAnywhereOutranksATransportError() {
        var trail = trail(failed(RetryReason.TIMED_OUT, 0, false), failed(RetryReason.CONNECTION_RESET, 0, false));
        assertThat(FinalAnswer.rank(trail, TRIED)).isInstanceOf(FinalAnswer.TimedOut.class);
    }

    @Test
    void aPassedDeadlineAnswersTimedOutEvenWithoutAttempts() {
        var facts = new FinalAnswer.Facts(1, 0, Optional.of(NOW), true);
        assertThat(FinalAnswer.rank(List.of(), facts)).isInstanceOf(FinalAnswer.TimedOut.class);
    }

    @Test
    void transportFailuresOnlyAnswerUnavailableWithTheLastReason() {
        var trail = trail(failed(RetryReason.CONNECT_FAILED, 0, false), failed(RetryReason.CONNECTION_RESET, 0, false));
        assertThat(FinalAnswer.rank(trail, TRIED))
                .isEqualTo(new FinalAnswer.Unavailable(Optional.of(RetryReason.CONNECTION_RESET)));
    }

    private record Failure(RetryReason reason, int status, boolean answered) {
    }

    private static Failure failed(RetryReason reason, int status, boolean answered) {
        return new Failure(reason, status, answered);
    }

    private static List<AttemptRecord> trail(Failure... failures) {
        var records = new ArrayList<AttemptRecord>();
        for (var f : failures) {
            records.add(new AttemptRecord("req-1", records.size() + 1, NOW, InboundFormat.CHAT, "m",
                    Optional.of("m"), Optional.of(new CredentialKey("up", "key-1")), f.status(),
                    RecordOutcome.RETRYABLE, Optional.of(f.reason()), Optional.empty(), f.answered(),
                    Optional.empty(), Duration.ofMillis(5), TokenUsage.NONE, false));
        }
        return records;
    }
}
