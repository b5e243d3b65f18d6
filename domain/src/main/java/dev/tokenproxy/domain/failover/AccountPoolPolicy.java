package dev.tokenproxy.domain.failover;

import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The credential-pool policy of behaviour §3, for accounts and for an upstream's API keys alike. A pinned
 * upstream is a pool of one, so it never switches credential.
 */
public final class AccountPoolPolicy {

    private AccountPoolPolicy() {
    }

    /** The pool's decision after an attempt with one credential ended in {@code outcome}. */
    public static <R> PoolStep<R> afterAttempt(AttemptOutcome<R> outcome) {
        return switch (outcome) {
            case AttemptOutcome.Success<R> s when s.is2xx() -> new PoolStep.Deliver<>(s);
            case AttemptOutcome.Success<R> s -> new PoolStep.TryNext<>(s);
            case AttemptOutcome.Retryable<R> r -> new PoolStep.TryNext<>(r);
            case AttemptOutcome.Fatal<R> f -> new PoolStep.Deliver<>(f);
            case AttemptOutcome.SkippedAuth<R> s -> new PoolStep.Skip<>();
        };
    }

    /**
     * The next credential to try: the first, in pool order, not yet tried in this request and not cooling.
     * Credentials this request itself cooled are excluded as "tried", so they never block a later upstream.
     */
    public static <C> Optional<C> next(List<C> poolOrder, Set<C> tried, Predicate<C> cooling) {
        for (C c : poolOrder) {
            if (!tried.contains(c) && !cooling.test(c)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * The pool's result once no credential remains. A remembered non-2xx success becomes retryable so that
     * the next upstream is still tried; the response is kept so it can still be delivered verbatim at the end.
     */
    public static <R> AttemptOutcome<R> whenExhausted(AttemptOutcome<R> remembered) {
        if (remembered instanceof AttemptOutcome.Success<R> s && !s.is2xx()) {
            return new AttemptOutcome.Retryable<>(RetryReason.UPSTREAM_REJECTED, s.status(), s.response(),
                    CooldownRule.NONE);
        }
        return remembered;
    }
}
