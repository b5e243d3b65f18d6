package dev.tokenproxy.adapter.out.metrics;

import dev.tokenproxy.application.port.out.GatewayMetricsPort;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.RecordOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts each client request from its records into Micrometer meters (docs/metrics.md). Names follow the
 * OpenTelemetry GenAI semantic conventions where one exists ({@code gen_ai.client.*}) and are {@code token_proxy.*}
 * otherwise. Every label value comes from a bounded set: formats, HTTP statuses, record outcomes, configured upstream
 * ids and configured model names; never a request id, a client's model name or a credential.
 */
public final class MicrometerGatewayMetrics implements GatewayMetricsPort {

    /** OpenTelemetry's {@code gen_ai.operation.name}: every format the gateway serves is a chat. */
    private static final String OPERATION = "chat";
    /** The bucket boundaries OpenTelemetry advises for {@code gen_ai.client.operation.duration} (seconds). */
    private static final Duration[] DURATION_BUCKETS = seconds(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56,
            5.12, 10.24, 20.48, 40.96, 81.92);
    /** The bucket boundaries OpenTelemetry advises for {@code gen_ai.client.token.usage}. */
    private static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
            4194304, 16777216, 67108864};
    /** Outcomes of attempts that produced output: only those have a time to first output worth a histogram. */
    private static final Set<RecordOutcome> PRODUCED_OUTPUT = Set.of(RecordOutcome.SUCCESS,
            RecordOutcome.STREAM_BROKEN, RecordOutcome.CLIENT_CANCELLED);

    private final MeterRegistry registry;
    private final ModelLabel models;
    /*
     * Meters by their labels. Building a meter id and looking it up in the registry costs more than the increment;
     * every label set is bounded (see the class comment), so are these maps.
     */
    private final Map<RequestLabels, Counter> requests = new ConcurrentHashMap<>();
    private final Map<AttemptLabels, AttemptMeters> attempts = new ConcurrentHashMap<>();
    private final Map<String, Counter> failovers = new ConcurrentHashMap<>();
    private final Map<String, Timer> firstOutputs = new ConcurrentHashMap<>();
    private final Map<TokenLabels, DistributionSummary> tokens = new ConcurrentHashMap<>();

    /** @param configuredModels the model names the configuration lists; any other is labelled {@code other} */
    public MicrometerGatewayMetrics(MeterRegistry registry, Set<String> configuredModels) {
        this.registry = registry;
        this.models = new ModelLabel(configuredModels);
    }

    @Override
    public void requestEnded(List<AttemptRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        countRequest(records);
        for (int i = 0; i < records.size(); i++) {
            var record = records.get(i);
            if (record.upstreamId().isEmpty()) {
                // The gateway's own answer: counted with the request, it is not an attempt.
                continue;
            }
            String upstream = record.upstreamId().get();
            countAttempt(record, upstream);
            if (i + 1 < records.size() && records.get(i + 1).upstreamId().isPresent()) {
                failovers.computeIfAbsent(upstream, this::failoverCounter).increment();
            }
        }
    }

    /** One count per client request, by what the client got: the billable record, else the refusal. */
    private void countRequest(List<AttemptRecord> records) {
        var answer = records.getLast();
        for (var record : records) {
            if (record.billable()) {
                answer = record;
                break;
            }
        }
        var labels = new RequestLabels(answer.format(), answer.status(), models.of(answer.requestedModel()));
        requests.computeIfAbsent(labels, this::requestCounter).increment();
    }

    private Counter requestCounter(RequestLabels labels) {
        return Counter.builder("token_proxy.requests")
                .description("Client requests by inbound format and the status the client got")
                .tag("format", wire(labels.format()))
                .tag("status", Integer.toString(labels.status()))
                .tag("status_class", labels.status() / 100 + "xx")
                .tag("model", labels.model())
                .register(registry);
    }

    private void countAttempt(AttemptRecord record, String upstream) {
        var meters = attempts.computeIfAbsent(new AttemptLabels(upstream, record.outcome()), this::attemptMeters);
        meters.attempts().increment();
        meters.duration().record(record.total());
        if (PRODUCED_OUTPUT.contains(record.outcome())) {
            record.firstOutput().ifPresent(firstOutputs.computeIfAbsent(upstream, this::firstOutputTimer)::record);
        }
        if (!record.usage().isNone()) {
            String model = models.of(record.requestedModel());
            tokens(new TokenLabels(upstream, model, "input")).record(record.usage().input());
            tokens(new TokenLabels(upstream, model, "output")).record(record.usage().output());
        }
    }

    private AttemptMeters attemptMeters(AttemptLabels labels) {
        String outcome = labels.outcome().wireName();
        return new AttemptMeters(
                Counter.builder("token_proxy.attempts")
                        .description("Requests sent upstream, by upstream and outcome")
                        .tag("upstream", labels.upstream())
                        .tag("outcome", outcome)
                        .register(registry),
                Timer.builder("gen_ai.client.operation.duration")
                        .description("Duration of one upstream attempt, from its start to its end (a stream's last "
                                + "chunk)")
                        .tag("gen_ai.operation.name", OPERATION)
                        .tag("upstream", labels.upstream())
                        .tag("outcome", outcome)
                        .serviceLevelObjectives(DURATION_BUCKETS)
                        .register(registry));
    }

    private Counter failoverCounter(String upstream) {
        return Counter.builder("token_proxy.failovers")
                .description("Attempts after which the request went on to another attempt")
                .tag("upstream", upstream)
                .register(registry);
    }

    private Timer firstOutputTimer(String upstream) {
        return Timer.builder("token_proxy.attempt.first_output")
                .description("From the start of an attempt to its first output (a stream's commit, a whole body)")
                .tag("upstream", upstream)
                .serviceLevelObjectives(DURATION_BUCKETS)
                .register(registry);
    }

    private DistributionSummary tokens(TokenLabels labels) {
        return tokens.computeIfAbsent(labels, l -> DistributionSummary.builder("gen_ai.client.token.usage")
                .description("Tokens an upstream reported for one attempt, input (cached included) or output "
                        + "(reasoning included)")
                .tag("gen_ai.operation.name", OPERATION)
                .tag("gen_ai.token.type", l.type())
                .tag("gen_ai.request.model", l.model())
                .tag("upstream", l.upstream())
                .serviceLevelObjectives(TOKEN_BUCKETS)
                .register(registry));
    }

    private record RequestLabels(InboundFormat format, int status, String model) {
    }

    private record AttemptLabels(String upstream, RecordOutcome outcome) {
    }

    private record TokenLabels(String upstream, String model, String type) {
    }

    private record AttemptMeters(Counter attempts, Timer duration) {
    }

    private static String wire(InboundFormat format) {
        return format.name().toLowerCase(Locale.ROOT);
    }

    private static Duration[] seconds(double... values) {
        var durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofNanos(Math.round(values[i] * 1_000_000_000));
        }
        return durations;
    }
}
