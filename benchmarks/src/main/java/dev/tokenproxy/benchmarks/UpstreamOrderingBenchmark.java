package dev.tokenproxy.benchmarks;

import dev.tokenproxy.domain.failover.RoutingStrategy;
import dev.tokenproxy.domain.failover.UpstreamOrdering;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ordering 20 candidate upstreams in three priority groups, a quarter of them cooling (behaviour §4.2), with the
 * cooling lookup given as a precomputed answer: this measures the ordering, not the credential states behind it
 * (those are in {@link ForwardRequestBenchmark}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UpstreamOrderingBenchmark {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Param({"FILL_FIRST", "ROUND_ROBIN"})
    public RoutingStrategy strategy;

    private List<Candidate> candidates;
    private long cursor;

    record Candidate(String id, int priority, Optional<Instant> coolingUntil) {
    }

    @Setup
    public void setUp() {
        candidates = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            candidates.add(new Candidate("upstream-" + i, i % 3,
                    i % 4 == 0 ? Optional.of(NOW.plusSeconds(i)) : Optional.empty()));
        }
    }

    @Benchmark
    public List<Candidate> orderTwentyUpstreams() {
        return UpstreamOrdering.order(candidates, Candidate::priority, strategy, priority -> cursor++,
                Candidate::coolingUntil);
    }
}
