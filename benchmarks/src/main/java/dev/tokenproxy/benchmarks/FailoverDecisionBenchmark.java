package dev.tokenproxy.benchmarks;

import dev.tokenproxy.domain.account.CredentialState;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.failover.FailoverDecision;
import dev.tokenproxy.domain.failover.FailoverPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The failover decision after one attempt in a pool of 50 accounts (issue target: at most 1 µs): a rate-limited
 * attempt after ten accounts were tried, where every other remaining account is cooling, so the policy walks the
 * pool to find the next available one; and the cheap case, a success that is delivered.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FailoverDecisionBenchmark {

    private static final int ACCOUNTS = 50;
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private FailoverPolicy.Pool<String> pool;
    private FailoverPolicy.Attempt<String> attempt;
    private Function<String, CredentialState> state;
    private AttemptOutcome<String> rateLimited;
    private AttemptOutcome<String> success;

    @Setup
    public void setUp() {
        var accounts = new ArrayList<String>();
        Map<String, CredentialState> states = new HashMap<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            String id = "account-" + i;
            accounts.add(id);
            Optional<Instant> cooling = i % 2 == 1 ? Optional.of(NOW.plusSeconds(60)) : Optional.empty();
            states.put(id, CredentialState.of(dev.tokenproxy.domain.account.AccountStatus.ACTIVE, cooling, NOW));
        }
        pool = new FailoverPolicy.Pool<>(accounts, false);
        attempt = new FailoverPolicy.Attempt<>(false, false, 0, new HashSet<>(accounts.subList(0, 10)));
        state = states::get;
        rateLimited = new AttemptOutcome.Retryable<>(RetryReason.RATE_LIMITED, 429, "slow down",
                CooldownRule.hinted(java.time.Duration.ofSeconds(11)));
        success = new AttemptOutcome.Success<>(200, "answer", TokenUsage.NONE);
    }

    @Benchmark
    public FailoverDecision<String, String> rateLimitedGoesToTheNextAvailableAccount() {
        return FailoverPolicy.decide(rateLimited, attempt, pool, state);
    }

    @Benchmark
    public FailoverDecision<String, String> successIsDelivered() {
        return FailoverPolicy.decide(success, attempt, pool, state);
    }

    /** The pool as a request starts it: the first available account. */
    @Benchmark
    public Optional<String> firstCredential() {
        return FailoverPolicy.firstCredential(pool, state);
    }
}
