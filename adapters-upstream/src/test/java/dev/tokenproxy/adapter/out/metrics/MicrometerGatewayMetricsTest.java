package dev.tokenproxy.adapter.out.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.RecordOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What one request's records do to the meters, and which label values they may create. */
class MicrometerGatewayMetricsTest {

    private static final Instant AT = Instant.parse("2025-06-01T00:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics(registry, Set.of("gpt-test"));

    @Test
    void countsARequestThatFailedOverOnceAsTwoAttemptsOneFailoverAndTheTokensOfTheDeliveredOne() {
        metrics.requestEnded(List.of(
                attempt(1, "a", 503, RecordOutcome.RETRYABLE, TokenUsage.NONE, false),
                attempt(2, "b", 200, RecordOutcome.SUCCESS, new TokenUsage(12, 0, 0, 34, 0), true)));

        assertThat(registry.get("token_proxy.requests").tags("format", "chat", "status", "200", "status_class",
                "2xx", "model", "gpt-test").counter().count()).isEqualTo(1);
        assertThat(registry.get("token_proxy.attempts").tags("upstream", "a", "outcome", "retryable").counter()
                .count()).isEqualTo(1);
        assertThat(registry.get("token_proxy.attempts").tags("upstream", "b", "outcome", "success").counter()
                .count()).isEqualTo(1);
        assertThat(registry.get("token_proxy.failovers").tags("upstream", "a").counter().count()).isEqualTo(1);
        assertThat(registry.find("token_proxy.failovers").tags("upstream", "b").counter()).isNull();
        assertThat(registry.get("gen_ai.client.token.usage").tags("gen_ai.token.type", "input", "upstream", "b")
                .summary().totalAmount()).isEqualTo(12);
        assertThat(registry.get("gen_ai.client.token.usage").tags("gen_ai.token.type", "output", "upstream", "b")
                .summary().totalAmount()).isEqualTo(34);
        assertThat(registry.find("gen_ai.client.token.usage").tags("upstream", "a").summary()).isNull();
        assertThat(registry.get("gen_ai.client.operation.duration").tags("upstream", "b").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("token_proxy.attempt.first_output").timers()).hasSize(1);
    }

    @Test
    void aGatewayErrorAfterAttemptsIsTheRequestsStatusAndNotAnAttempt() {
        metrics.requestEnded(List.of(
                attempt(1, "a", 0, RecordOutcome.RETRYABLE, TokenUsage.NONE, false),
                gatewayRecord(2, 502, RecordOutcome.GATEWAY_ERROR, true)));

        assertThat(registry.get("token_proxy.requests").tags("status", "502", "status_class", "5xx").counter()
                .count()).isEqualTo(1);
        assertThat(registry.get("token_proxy.attempts").counters()).hasSize(1);
        // The request did not go on to another upstream: the gateway gave up.
        assertThat(registry.find("token_proxy.failovers").counters()).isEmpty();
    }

    @Test
    void aRefusalIsCountedAsARequestWithItsStatus() {
        metrics.requestEnded(List.of(gatewayRecord(0, 401, RecordOutcome.REFUSED, false)));

        assertThat(registry.get("token_proxy.requests").tags("status", "401").counter().count()).isEqualTo(1);
        assertThat(registry.find("token_proxy.attempts").counters()).isEmpty();
    }

    @Test
    void aModelTheConfigurationDoesNotListAddsNoSeries() {
        var served = attempt(1, "a", 200, RecordOutcome.SUCCESS, new TokenUsage(1, 0, 0, 1, 0), true);
        metrics.requestEnded(List.of(withModel(served, "made-up-model-1")));
        metrics.requestEnded(List.of(withModel(served, "made-up-model-2")));

        assertThat(registry.get("token_proxy.requests").counters()).hasSize(1);
        assertThat(registry.get("token_proxy.requests").tag("model", "other").counter().count()).isEqualTo(2);
        assertThat(registry.getMeters()).flatExtracting(meter -> meter.getId().getTags())
                .noneMatch(tag -> tag.getValue().contains("made-up"));
    }

    @Test
    void gaugesReadCredentialStateWhenScraped() {
        var cooling = new AtomicInteger();
        var needingLogin = new AtomicInteger(1);
        CredentialGauges.register(registry, Set.of("a"), upstream -> cooling.get(), needingLogin::get);

        cooling.set(2);

        assertThat(registry.get("token_proxy.cooldowns.active").tag("upstream", "a").gauge().value()).isEqualTo(2);
        assertThat(registry.get("token_proxy.accounts.needing_login").gauge().value()).isEqualTo(1);
        assertThat(registry.getMeters()).extracting(Meter::getId).hasSize(2);
    }

    private static AttemptRecord attempt(int attempt, String upstream, int status, RecordOutcome outcome, TokenUsage usage,
                                  boolean billable) {
        return new AttemptRecord("req-1", attempt, AT, InboundFormat.CHAT, "gpt-test",
                Optional.of("gpt-test"), Optional.of(new CredentialKey(upstream, "key-1")), status, outcome,
                outcome == RecordOutcome.RETRYABLE ? Optional.of(RetryReason.SERVER_ERROR) : Optional.empty(),
                Optional.empty(), status != 0, Optional.of(Duration.ofMillis(40)), Duration.ofMillis(90), usage,
                billable);
    }

    private static AttemptRecord gatewayRecord(int attempt, int status, RecordOutcome outcome, boolean billable) {
        return new AttemptRecord("req-1", attempt, AT, InboundFormat.CHAT, "gpt-test", Optional.empty(),
                Optional.empty(), status, outcome, Optional.empty(), Optional.of("upstream_unavailable"), false,
                Optional.empty(), Duration.ZERO, TokenUsage.NONE, billable);
    }

    private static AttemptRecord withModel(AttemptRecord r, String model) {
        return new AttemptRecord(r.requestId(), r.attempt(), r.at(), r.format(), model, r.servedModel(),
                r.credential(), r.status(), r.outcome(), r.retryReason(), r.detail(), r.answered(), r.firstOutput(),
                r.total(), r.usage(), r.billable());
    }
}
