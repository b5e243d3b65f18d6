package dev.tokenproxy.adapter.out.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.FetchUpstreamModelsPort;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cache in front of upstream listings, with a ticker the test advances and fetches run in the caller. */
@Timeout(10)
class RefreshingUpstreamModelsTest {

    private static final Duration PERIOD = Duration.ofMinutes(5);
    private static final Upstream OPENAI = upstream("main", "openai");

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    /** Runs each fetch at once on the listing's thread, so that a test sees its effect without waiting. */
    private final Executor inline = Runnable::run;
    private final ScriptedFetcher fetcher = new ScriptedFetcher("openai");
    private final RefreshingUpstreamModels models =
            new RefreshingUpstreamModels(List.of(fetcher), PERIOD, Duration.ZERO, ticker, inline);

    private static Upstream upstream(String id, String provider) {
        return Upstream.withApiKeys(id, provider, URI.create("http://127.0.0.1:1/v1"), List.of(new Secret("sk-1")));
    }

    /** What {@code cache} knows of {@code upstream} alone (nothing known reads as an empty list). */
    private static List<String> known(RefreshingUpstreamModels cache, Upstream upstream) {
        return cache.knownModels(List.of(upstream)).getOrDefault(upstream.id(), List.of());
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Test
    void aSecondListingWithinTheRefreshPeriodAsksTheUpstreamNothing() {
        fetcher.answers(listed("gpt-4o"));

        assertThat(known(models, OPENAI)).containsExactly("gpt-4o");
        advance(PERIOD.minusSeconds(1));
        assertThat(known(models, OPENAI)).containsExactly("gpt-4o");

        assertThat(fetcher.calls.get()).isEqualTo(1);
    }

    @Test
    void pastThePeriodAListingRefreshesTheListOnce() {
        fetcher.answers(listed("gpt-4o"), listed("gpt-4o", "o3"));
        known(models, OPENAI);
        advance(PERIOD.plusSeconds(1));

        known(models, OPENAI);

        assertThat(known(models, OPENAI)).containsExactly("gpt-4o", "o3");
        assertThat(fetcher.calls.get()).isEqualTo(2);
    }

    @Test
    void aFailedListingContributesNothingAndIsTriedAgainOnlyAfterThePeriod() {
        fetcher.answers(failed(), listed("gpt-4o"));

        assertThat(known(models, OPENAI)).isEmpty();
        assertThat(known(models, OPENAI)).isEmpty();
        assertThat(fetcher.calls.get()).isEqualTo(1);

        advance(PERIOD.plusSeconds(1));
        known(models, OPENAI);

        assertThat(fetcher.calls.get()).isEqualTo(2);
        assertThat(known(models, OPENAI)).containsExactly("gpt-4o");
    }

    @Test
    void aFailedRefreshKeepsTheLastGoodList() {
        fetcher.answers(listed("gpt-4o"), failed(), listed("o3"));
        known(models, OPENAI);

        advance(PERIOD.plusSeconds(1));
        known(models, OPENAI);
        assertThat(known(models, OPENAI)).containsExactly("gpt-4o");
        assertThat(fetcher.calls.get()).isEqualTo(2);

        advance(PERIOD.minusSeconds(1));
        assertThat(known(models, OPENAI)).containsExactly("gpt-4o");
        assertThat(fetcher.calls.get()).isEqualTo(2);
    }

    @Test
    void anUpstreamWhoseProviderHasNoListingIsNeverAsked() {
        assertThat(known(models, upstream("codex-pool", "codex"))).isEmpty();
        assertThat(fetcher.calls.get()).isZero();
    }

    @Test
    void withoutAFirstFetchWaitAListingNeverWaitsForTheUpstream() throws InterruptedException {
        var blocked = new GatedFetcher("openai");
        var release = blocked.release;
        blocked.answers(listed("gpt-4o"));
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        try {
            var notWaiting = new RefreshingUpstreamModels(List.of(blocked), PERIOD, Duration.ZERO, ticker,
                    background);

            assertThat(known(notWaiting, OPENAI)).isEmpty();

            release.countDown();
            background.shutdown();
            assertThat(background.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            assertThat(known(notWaiting, OPENAI)).containsExactly("gpt-4o");
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void whileARefreshRunsListingsGetTheListOnHand() throws InterruptedException {
        var gate = new GatedFetcher("openai");
        gate.answers(listed("gpt-4o"), listed("o3"));
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        try {
            var cached = new RefreshingUpstreamModels(List.of(gate), PERIOD, Duration.ofSeconds(5), ticker,
                    background);
            gate.release.countDown();
            assertThat(known(cached, OPENAI)).containsExactly("gpt-4o");
            gate.release = new CountDownLatch(1);
            // Caffeine stamps the first write just after the first listing returned, possibly after an advance of
            // the ticker made right away: advance again until a listing finds the entry stale and starts a refresh.
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            do {
                advance(PERIOD.plusSeconds(1));
                assertThat(known(cached, OPENAI)).containsExactly("gpt-4o");
            } while (!gate.started.await(50, TimeUnit.MILLISECONDS) && System.nanoTime() < giveUp);

            assertThat(gate.started.getCount()).as("a refresh started").isZero();
            assertThat(known(cached, OPENAI)).containsExactly("gpt-4o");
        } finally {
            gate.release.countDown();
            background.shutdownNow();
        }
    }

    @Test
    void firstFetchesRunSideBySideAndAnUnknownUpstreamIsLeftOut() {
        var gate = new GatedFetcher("openai");
        gate.answers(listed("gpt-4o"));
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        try {
            var cached = new RefreshingUpstreamModels(List.of(gate), PERIOD, Duration.ofSeconds(5), ticker,
                    background);
            var other = upstream("other", "openai");
            Thread.ofVirtual().start(() -> {
                try {
                    // Both fetches are running before either may finish: the listing started them together.
                    if (gate.started.await(5, TimeUnit.SECONDS)) {
                        gate.release.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            var known = cached.knownModels(List.of(OPENAI, other, upstream("codex-pool", "codex")));

            assertThat(known).containsOnlyKeys("main", "other").containsEntry("main", List.of("gpt-4o"));
        } finally {
            gate.release.countDown();
            background.shutdownNow();
        }
    }

    @Test
    void theFirstListingWaitsABoundedTimeForTheFirstFetch() {
        fetcher.answers(listed("gpt-4o"));
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        try {
            var waiting = new RefreshingUpstreamModels(List.of(fetcher), PERIOD, Duration.ofSeconds(5), ticker,
                    background);

            assertThat(known(waiting, OPENAI)).containsExactly("gpt-4o");
        } finally {
            background.shutdownNow();
        }
    }

    private static FetchUpstreamModelsPort.Result listed(String... ids) {
        return new FetchUpstreamModelsPort.Result.Listed(List.of(ids));
    }

    private static FetchUpstreamModelsPort.Result failed() {
        return new FetchUpstreamModelsPort.Result.Failed("status 503");
    }

    /** A {@link ScriptedFetcher} whose fetches signal {@code started} and then wait for {@code release}. */
    private static final class GatedFetcher extends ScriptedFetcher {
        volatile CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(2);

        GatedFetcher(String provider) {
            super(provider);
        }

        @Override
        public Result fetch(Upstream upstream) {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.fetch(upstream);
        }
    }

    /** Answers queued results in order, the last one for ever after, and counts the fetches. */
    private static class ScriptedFetcher implements FetchUpstreamModelsPort {
        private final String provider;
        private final Deque<Result> results = new ArrayDeque<>();
        final AtomicInteger calls = new AtomicInteger();

        ScriptedFetcher(String provider) {
            this.provider = provider;
        }

        void answers(Result... queued) {
            results.addAll(List.of(queued));
        }

        @Override
        public String provider() {
            return provider;
        }

        @Override
        public synchronized Result fetch(Upstream upstream) {
            calls.incrementAndGet();
            return results.size() > 1 ? results.poll() : results.peek();
        }
    }
}
