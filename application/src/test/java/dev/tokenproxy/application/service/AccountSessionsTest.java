package dev.tokenproxy.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.fakes.InMemoryAccountStore;
import dev.tokenproxy.application.fakes.MutableClock;
import dev.tokenproxy.application.fakes.ScriptedTokenRefresher;
import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class AccountSessionsTest {

    private final MutableClock clock = MutableClock.atEpochDay();
    private final InMemoryAccountStore store = new InMemoryAccountStore();
    private final ScriptedTokenRefresher refresher = new ScriptedTokenRefresher("codex", clock);
    private final AccountSessions sessions = new AccountSessions(store, List.of(refresher), clock);
    private final Upstream upstream = new Upstream("pool", "codex", URI.create("http://codex.invalid"),
            new CredentialSource.AccountPool(List.of()), 0, true, Set.of(),
            dev.tokenproxy.domain.routing.ModelMappings.NONE, false, true);

    private Credential.Account asStored(String id) {
        return CredentialPools.asCredential(upstream, store.get(id));
    }

    @Test
    void twentyConcurrentRequestsOnAnExpiringAccountCauseExactlyOneRefresh() throws Exception {
        store.add("a", "codex", clock.instant().plusSeconds(30));
        var entered = new CountDownLatch(1);
        var gate = new CountDownLatch(1);
        refresher.heldBy(entered, gate);
        var stale = asStored("a");
        List<Thread> threads = new ArrayList<>();
        List<Future<AccountSessions.Readiness>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(20, runnable -> {
            var thread = new Thread(runnable);
            threads.add(thread);
            return thread;
        })) {
            for (int i = 0; i < 20; i++) {
                results.add(pool.submit(() -> sessions.ready(upstream, stale, false)));
            }
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            // Hold the one refresh until every other request is parked waiting for it (or for the refresher).
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (threads.size() < 20 || threads.stream().filter(t -> t.getState() == Thread.State.WAITING).count() < 20) {
                assertThat(System.nanoTime()).isLessThan(giveUp);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            gate.countDown();
            for (var result : results) {
                assertThat(result.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(AccountSessions.Readiness.Ready.class,
                        ready -> assertThat(ready.credential().accessToken().reveal()).isEqualTo("at-a-r1"));
            }
        }
        assertThat(refresher.refreshed()).containsExactly("a");
        assertThat(store.writes()).isEqualTo(1);
    }

    @Test
    void aRequestThatSawTheOldTokenRefusedUsesTheTokenAnotherRequestAlreadyRefreshed() {
        store.add("a", "codex", clock.instant().plusSeconds(3600));
        var old = asStored("a");
        assertThat(sessions.ready(upstream, old, true)).isInstanceOf(AccountSessions.Readiness.Ready.class);

        var late = sessions.ready(upstream, old, true);

        assertThat(late).isInstanceOfSatisfying(AccountSessions.Readiness.Ready.class,
                ready -> assertThat(ready.credential().accessToken().reveal()).isEqualTo("at-a-r1"));
        assertThat(refresher.refreshed()).as("the old refresh token is spent: asking again would kill the login")
                .containsExactly("a");
    }

    @Test
    void aTokenThatIsNotCloseToExpiryIsUsedAsItIs() {
        store.add("a", "codex", clock.instant().plus(AccountSessions.REFRESH_AHEAD).plus(Duration.ofSeconds(1)));

        var ready = sessions.ready(upstream, asStored("a"), false);

        assertThat(ready).isInstanceOf(AccountSessions.Readiness.Ready.class);
        assertThat(refresher.refreshed()).isEmpty();
    }

    @Test
    void aPassingRefreshFailureKeepsUsingATokenThatStillWorks() {
        store.add("a", "codex", clock.instant().plusSeconds(60));
        refresher.failing("503 from the token endpoint");

        assertThat(sessions.ready(upstream, asStored("a"), false))
                .isInstanceOfSatisfying(AccountSessions.Readiness.Ready.class,
                        ready -> assertThat(ready.credential().accessToken().reveal()).isEqualTo("at-a"));
        assertThat(sessions.ready(upstream, asStored("a"), true)).as("refused token, refresh failing")
                .isInstanceOfSatisfying(AccountSessions.Readiness.Unusable.class,
                        unusable -> assertThat(unusable.outcome()).isInstanceOf(AttemptOutcome.Retryable.class));
    }
}
