package dev.tokenproxy.domain.failover;

import dev.tokenproxy.domain.account.CredentialState;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The whole failover rule inside one upstream (behaviour §3, §4.3), taken after every attempt from its final
 * outcome — the outcome after post-processing, never the raw status:
 *
 * <table>
 *   <caption>outcome → decision</caption>
 *   <tr><th>final outcome</th><th>decision</th></tr>
 *   <tr><td>Success 2xx</td><td>deliver</td></tr>
 *   <tr><td>Fatal</td><td>deliver</td></tr>
 *   <tr><td>Retryable 401 of a refreshable account, not yet refreshed in this request</td>
 *       <td>refresh, then resend to the same account</td></tr>
 *   <tr><td>Retryable, transient, no wait hint (5xx, connect refused or reset, stream broken before output),
 *       in-place resends left</td><td>resend in place</td></tr>
 *   <tr><td>Retryable, or Success non-2xx, in an unpinned pool with an untried available credential</td>
 *       <td>next credential</td></tr>
 *   <tr><td>the same with none left, or on a pinned upstream</td>
 *       <td>skip the upstream; a non-2xx success is remembered as retryable so the next upstream is still tried</td></tr>
 *   <tr><td>SkippedAuth</td><td>skip the upstream (counted as skipped)</td></tr>
 * </table>
 *
 * <p>The next credential is the first, in pool order, not tried in this request and {@link CredentialState.Available};
 * credentials this request tried (and perhaps cooled) are excluded as tried, so they never make a later upstream
 * of the same request fail.
 */
public final class FailoverPolicy {

    private FailoverPolicy() {
    }

    /**
     * One upstream's credentials as the request sees them.
     *
     * @param order  the pool in the order of the account strategy for this request
     * @param pinned a pinned upstream never switches credential
     */
    public record Pool<C>(List<C> order, boolean pinned) {
        public Pool {
            order = List.copyOf(order);
        }
    }

    /**
     * What the loop knows about the attempt just made, beyond its outcome.
     *
     * @param refreshable      the credential is an account whose token can be refreshed
     * @param alreadyRefreshed its token was refreshed for this request already (one refresh per credential)
     * @param resendsLeft      in-place resends still allowed ({@code same_upstream_retries} minus those made)
     * @param tried            credentials of this pool tried in this request, including this one
     */
    public record Attempt<C>(boolean refreshable, boolean alreadyRefreshed, int resendsLeft, Set<C> tried) {
        public Attempt {
            tried = Set.copyOf(tried);
        }
    }

    /** The credential to start the pool with, or empty when none is available (all cooling, disabled, ...). */
    public static <C> Optional<C> firstCredential(Pool<C> pool, Function<C, CredentialState> state) {
        return nextAvailable(pool, Set.of(), state);
    }

    /** The decision after an attempt that ended in {@code outcome}. */
    public static <C, R> FailoverDecision<C, R> decide(AttemptOutcome<R> outcome, Attempt<C> attempt, Pool<C> pool,
                                                       Function<C, CredentialState> state) {
        Objects.requireNonNull(attempt, "attempt");
        return switch (outcome) {
            case AttemptOutcome.Success<R> success when success.is2xx() -> new FailoverDecision.Deliver<>(success);
            case AttemptOutcome.Fatal<R> fatal -> new FailoverDecision.Deliver<>(fatal);
            case AttemptOutcome.SkippedAuth<R> skipped -> new FailoverDecision.SkipUpstream<>(skipped);
            case AttemptOutcome.Retryable<R> failed when refreshHelps(failed, attempt) ->
                    new FailoverDecision.RefreshThenResend<>();
            case AttemptOutcome.Retryable<R> failed when attempt.resendsLeft() > 0 && resendInPlaceHelps(failed) ->
                    new FailoverDecision.ResendInPlace<>();
            case AttemptOutcome.Retryable<R> failed -> nextOrSkip(failed, attempt, pool, state);
            case AttemptOutcome.Success<R> rejected -> nextOrSkip(rememberedForNextUpstream(rejected), attempt, pool,
                    state);
        };
    }

    /** Behaviour §2: a 401 on an OAuth account first triggers one token refresh and one resend to it. */
    private static boolean refreshHelps(AttemptOutcome.Retryable<?> failed, Attempt<?> attempt) {
        return failed.reason() == RetryReason.CREDENTIAL_REJECTED && failed.status() == 401
                && attempt.refreshable() && !attempt.alreadyRefreshed();
    }

    /**
     * Behaviour §4.3: only transient failures that carry no wait hint. We never wait inside a request, so a 429, a
     * rejected credential, anything with Retry-After or a reset hint, and a silent upstream fail over instead.
     */
    private static boolean resendInPlaceHelps(AttemptOutcome.Retryable<?> failed) {
        boolean transientFailure = switch (failed.reason()) {
            case SERVER_ERROR, CONNECT_FAILED, CONNECTION_RESET, STREAM_FAILED_BEFORE_OUTPUT -> true;
            case RATE_LIMITED, UPSTREAM_REQUEST_TIMEOUT, CREDENTIAL_REJECTED, ACCOUNT_SUSPENDED, REFRESH_FAILED,
                 UNKNOWN_HOST, TLS_FAILED,
                 TIMED_OUT, STREAM_BROKEN_AFTER_OUTPUT, BAD_RESPONSE, EMPTY_COMPLETION, UPSTREAM_REJECTED -> false;
        };
        return transientFailure && !(failed.cooldown() instanceof CooldownRule.Hinted);
    }

    /**
     * A deliverable non-2xx that ends a pool becomes retryable so that the next upstream is still tried; its response
     * is kept so it can be delivered verbatim if nothing better turns up.
     */
    private static <R> AttemptOutcome<R> rememberedForNextUpstream(AttemptOutcome.Success<R> rejected) {
        return new AttemptOutcome.Retryable<>(RetryReason.UPSTREAM_REJECTED, rejected.status(), rejected.response(),
                CooldownRule.NONE);
    }

    private static <C, R> FailoverDecision<C, R> nextOrSkip(AttemptOutcome<R> remembered, Attempt<C> attempt,
                                                          Pool<C> pool, Function<C, CredentialState> state) {
        if (pool.pinned()) {
            return new FailoverDecision.SkipUpstream<>(remembered);
        }
        return nextAvailable(pool, attempt.tried(), state)
                .<FailoverDecision<C, R>>map(FailoverDecision.NextCredential::new)
                .orElseGet(() -> new FailoverDecision.SkipUpstream<>(remembered));
    }

    private static <C> Optional<C> nextAvailable(Pool<C> pool, Set<C> tried, Function<C, CredentialState> state) {
        for (C candidate : pool.order()) {
            if (!tried.contains(candidate) && state.apply(candidate).isAvailable()) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
