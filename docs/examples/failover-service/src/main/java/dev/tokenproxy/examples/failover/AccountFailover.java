package dev.tokenproxy.examples.failover;

import dev.tokenproxy.domain.account.AccountStatus;
import dev.tokenproxy.domain.account.CredentialState;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import dev.tokenproxy.domain.cooldown.CooldownState;
import dev.tokenproxy.domain.failover.FailoverDecision;
import dev.tokenproxy.domain.failover.FailoverPolicy;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A pool of accounts that fails over between them attempt by attempt: feed it the outcome of each attempt, get back
 * what to do next. Every rule comes from the Token Proxy domain ({@link FailoverPolicy}, {@link CooldownPolicy},
 * {@link CredentialState}); this class keeps only the state the domain leaves to its caller (each account's
 * cooldown, the accounts a request tried) and passes the time in, so the whole pool runs on a scripted clock.
 *
 * <p>Not thread-safe: the cooldowns are a plain map. A service serving concurrent requests would keep them in a
 * concurrent store; the domain types it hands around are immutable and can be shared freely.
 */
public final class AccountFailover {

    private final FailoverPolicy.Pool<String> pool;
    private final CooldownPolicy cooldownPolicy;
    private final int resendsPerAccount;
    private final Map<String, CooldownState> cooldowns = new HashMap<>();

    /**
     * @param accounts          in the order they are tried (fill-first: the first takes all traffic while healthy)
     * @param cooldownPolicy    how long a failed account rests
     * @param resendsPerAccount in-place resends of a transient failure before moving to the next account
     */
    public AccountFailover(List<String> accounts, CooldownPolicy cooldownPolicy, int resendsPerAccount) {
        if (accounts.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one account");
        }
        this.pool = new FailoverPolicy.Pool<>(accounts, false);
        this.cooldownPolicy = cooldownPolicy;
        this.resendsPerAccount = resendsPerAccount;
    }

    /** Starts a request at {@code now} with the first available account; empty when every account is cooling. */
    public Optional<Request> start(Instant now) {
        return FailoverPolicy.firstCredential(pool, account -> state(account, now)).map(Request::new);
    }

    /** When the first cooling account recovers; empty when none is cooling at {@code now}. */
    public Optional<Instant> earliestRecovery(Instant now) {
        return cooldowns.values().stream()
                .filter(cooldown -> cooldown.isCooling(now))
                .map(CooldownState::until)
                .min(Instant::compareTo);
    }

    /** Whether {@code account} may be tried at {@code now}, and if not, why. */
    public CredentialState state(String account, Instant now) {
        var coolingUntil = Optional.ofNullable(cooldowns.get(account)).map(CooldownState::until);
        return CredentialState.of(AccountStatus.ACTIVE, coolingUntil, now);
    }

    /** One request's walk through the pool: which account to send with, and what to do after each attempt. */
    public final class Request {

        private final Set<String> tried = new LinkedHashSet<>();
        private String account;
        private int resendsLeft = resendsPerAccount;

        private Request(String first) {
            this.account = first;
        }

        /** The account to send the next attempt with. */
        public String account() {
            return account;
        }

        /**
         * Reports how the attempt with {@link #account()} ended and returns what to do next. After
         * {@link FailoverDecision.NextCredential} {@link #account()} is the new account.
         */
        public <R> FailoverDecision<String, R> report(AttemptOutcome<R> outcome, Instant now) {
            tried.add(account);
            // Before deciding, as the gateway does: the next account must not be one this failure just cooled.
            cool(account, outcome, now);
            var attempt = new FailoverPolicy.Attempt<>(false, false, resendsLeft, tried);
            FailoverDecision<String, R> decision =
                    FailoverPolicy.decide(outcome, attempt, pool, candidate -> state(candidate, now));
            switch (decision) {
                case FailoverDecision.ResendInPlace<String, R> resend -> resendsLeft--;
                case FailoverDecision.NextCredential<String, R> next -> {
                    account = next.credential();
                    resendsLeft = resendsPerAccount;
                }
                // Accounts in this pool have no token to refresh, and the rest ends the request's walk.
                case FailoverDecision.RefreshThenResend<String, R> refresh -> { }
                case FailoverDecision.Deliver<String, R> deliver -> { }
                case FailoverDecision.SkipUpstream<String, R> skip -> { }
            }
            return decision;
        }
    }

    /** A 2xx closes the account's cooldown (its half-open probe passed); a retryable failure cools it by its rule. */
    private void cool(String account, AttemptOutcome<?> outcome, Instant now) {
        switch (outcome) {
            case AttemptOutcome.Success<?> success when success.is2xx() -> cooldowns.remove(account);
            case AttemptOutcome.Retryable<?> failed -> {
                var next = cooldownPolicy.afterFailure(failed.cooldown(), remembered(account, now), now);
                if (next != null) {
                    cooldowns.put(account, next);
                }
            }
            case AttemptOutcome.Success<?> rejected -> { }
            case AttemptOutcome.Fatal<?> fatal -> { }
            case AttemptOutcome.SkippedAuth<?> skipped -> { }
        }
    }

    /**
     * The cooldown a new failure builds on. Forgotten once it ended longer ago than {@link CooldownPolicy#memory()},
     * so that an account failing again after a long healthy spell starts from the base length, not from a doubling.
     */
    private CooldownState remembered(String account, Instant now) {
        var state = cooldowns.get(account);
        if (state != null && state.until().plus(cooldownPolicy.memory()).isBefore(now)) {
            cooldowns.remove(account);
            return null;
        }
        return state;
    }
}
