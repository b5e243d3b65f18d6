package dev.tokenproxy.application.fakes;

import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.port.out.TokenRefreshPort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A token endpoint for tests: by default each refresh of account X returns access token {@code at-X-r<n>} (n counting
 * this fake's refreshes) valid for an hour; a test can make it refuse or fail instead. Records every refresh.
 */
public final class ScriptedTokenRefresher implements TokenRefreshPort {

    private final String provider;
    private final MutableClock clock;
    private final AtomicInteger count = new AtomicInteger();
    private final List<String> refreshed = new ArrayList<>();
    private volatile Function<StoredAccount, Result> answer;

    public ScriptedTokenRefresher(String provider, MutableClock clock) {
        this.provider = provider;
        this.clock = clock;
        this.answer = this::rotate;
    }

    /** Each refresh first waits for {@code gate}, so that a test can hold refreshes while more requests arrive. */
    public ScriptedTokenRefresher heldBy(java.util.concurrent.CountDownLatch entered,
                                         java.util.concurrent.CountDownLatch gate) {
        var rotating = answer;
        answer = account -> {
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result.Failed("interrupted");
            }
            return rotating.apply(account);
        };
        return this;
    }

    public ScriptedTokenRefresher refusing(String reason) {
        answer = account -> new Result.Rejected(reason);
        return this;
    }

    public ScriptedTokenRefresher failing(String reason) {
        answer = account -> new Result.Failed(reason);
        return this;
    }

    private Result rotate(StoredAccount account) {
        int n = count.get();
        Instant expiry = clock.instant().plusSeconds(3600);
        return new Result.Refreshed(account.refreshed(new Secret("at-" + account.id() + "-r" + n),
                Optional.of(new Secret("rt-" + account.id() + "-r" + n)), Optional.of(expiry), Map.of()));
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public Result refresh(StoredAccount account) {
        count.incrementAndGet();
        synchronized (refreshed) {
            refreshed.add(account.id());
        }
        return answer.apply(account);
    }

    /** Ids of the accounts refreshed, in order. */
    public List<String> refreshed() {
        synchronized (refreshed) {
            return List.copyOf(refreshed);
        }
    }
}
