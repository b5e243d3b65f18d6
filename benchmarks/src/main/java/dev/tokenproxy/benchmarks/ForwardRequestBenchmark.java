package dev.tokenproxy.benchmarks;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokenproxy.adapter.out.cooldown.CaffeineCooldownStore;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.out.AccountStorePort;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.service.AccountSessions;
import dev.tokenproxy.application.service.CooldownBook;
import dev.tokenproxy.application.service.CredentialPools;
import dev.tokenproxy.application.service.ForwardRequestService;
import dev.tokenproxy.application.service.UsageBook;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
 * The failover use case's own cost for one request, with an in-process upstream port that answers at once: 20
 * upstreams of 50 API keys each, the first upstream's keys all cooling (a rate limit with an hour's hint), so every
 * request orders 20 candidates over 1,000 credential states, passes the cooling upstream by and is served by the
 * second. The real cooldown store (Caffeine) and the real record path (none) are used; no HTTP.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ForwardRequestBenchmark {

    private static final int UPSTREAMS = 20;
    private static final int KEYS = 50;
    private static final byte[] BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8);

    private ForwardRequestService service;
    private ForwardRequestCommand command;

    @Setup
    public void setUp() {
        Clock clock = Clock.systemUTC();
        var upstreams = new ArrayList<Upstream>();
        for (int u = 0; u < UPSTREAMS; u++) {
            var keys = new ArrayList<Secret>();
            for (int k = 0; k < KEYS; k++) {
                keys.add(new Secret("sk-bench-" + u + "-" + k));
            }
            upstreams.add(Upstream.withApiKeys("upstream-" + u, "bench", URI.create("http://127.0.0.1:1/v1"), keys));
        }
        var cooldowns = new CooldownBook(new CaffeineCooldownStore(clock, Ticker.systemTicker(),
                Duration.ofMinutes(10)), CooldownPolicy.DEFAULTS, clock);
        AccountStorePort noAccounts = AccountStorePort.NONE;
        service = new ForwardRequestService(new UpstreamCatalog(upstreams), Map.of("bench", new InstantUpstream()),
                cooldowns, new CredentialPools(noAccounts, cooldowns, new UsageBook(), clock),
                new AccountSessions(noAccounts, List.of(), clock), GatewaySettings.DEFAULTS, clock);
        command = new ForwardRequestCommand(InboundFormat.CHAT, "gpt-4o-mini", false, BODY, Set.of("*"));
        // Cools every key of upstream-0: the first request walks its 50 keys, each rate-limited.
        service.forward(command);
    }

    @Benchmark
    public ForwardResult forwardPastACoolingUpstream() {
        return service.forward(command);
    }

    /** Rate-limits every key of the first upstream, answers at once for all the others. */
    private static final class InstantUpstream implements SendAttemptPort {
        private static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.nativeOnly("bench", InboundFormat.CHAT);
        private static final byte[] ANSWER = "{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}"
                .getBytes(StandardCharsets.UTF_8);

        @Override
        public ProviderDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
            if (request.upstream().id().equals("upstream-0")) {
                return new AttemptOutcome.Retryable<>(RetryReason.RATE_LIMITED, 429, null,
                        CooldownRule.hinted(Duration.ofHours(1)));
            }
            return new AttemptOutcome.Success<>(200, new UpstreamReply.Buffered(200, Map.of(), ANSWER),
                    TokenUsage.NONE);
        }
    }
}
