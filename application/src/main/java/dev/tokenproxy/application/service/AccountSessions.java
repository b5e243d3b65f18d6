package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AccountStorePort;
import dev.tokenproxy.application.port.out.TokenRefreshPort;
import dev.tokenproxy.domain.account.AccountStatus;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Keeps accounts' access tokens usable: refreshes a token shortly before it expires and when the upstream refused
 * it, one refresh per account at a time however many requests need it, and writes the rotated tokens to the store
 * before anyone uses them (a refresh token is single-use: the old one is dead once the endpoint answered).
 */
public final class AccountSessions {

    private static final System.Logger LOG = System.getLogger(AccountSessions.class.getName());

    /** How long before its expiry a token is refreshed, so that it does not expire in the middle of a request. */
    public static final Duration REFRESH_AHEAD = Duration.ofMinutes(5);

    private final AccountStorePort store;
    private final Map<String, TokenRefreshPort> refreshers;
    private final Clock clock;
    private final Map<String, CompletableFuture<Refresh>> inFlight = new ConcurrentHashMap<>();

    public AccountSessions(AccountStorePort store, List<TokenRefreshPort> refreshers, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.refreshers = refreshers.stream().collect(Collectors.toUnmodifiableMap(TokenRefreshPort::provider,
                Function.identity()));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Switches the account off in the store (status {@code disabled}): it is never used or refreshed again until the
     * operator turns it back on. For what only a person can lift, such as a provider's suspension of the account.
     */
    public void disable(Credential.Account account, String why) {
        store.find(account.accountId()).filter(a -> a.status() != AccountStatus.DISABLED).ifPresent(stored -> {
            try {
                store.update(stored.withStatus(AccountStatus.DISABLED));
                LOG.log(Level.WARNING, "account {0} disabled: {1}; set its status back to active in the account "
                        + "store once that is resolved", stored.id(), why);
            } catch (AccountStorePort.AccountStoreException e) {
                LOG.log(Level.ERROR, "account " + stored.id() + " should be disabled (" + why + ") but the account "
                        + "store could not be written: " + e.getMessage());
            }
        });
    }

    /** Whether a refused token of this account can be replaced by a refresh. */
    public boolean refreshable(Credential credential) {
        return credential instanceof Credential.Account account && store.find(account.accountId())
                .filter(a -> a.refreshToken().isPresent() && refreshers.containsKey(a.provider()))
                .isPresent();
    }

    /**
     * The account, ready to send with: its current token from the store, refreshed first when it is about to expire
     * or when {@code tokenRefused} (the upstream answered 401 to {@code current}'s token).
     */
    public Readiness ready(Upstream upstream, Credential.Account current, boolean tokenRefused) {
        var stored = store.find(current.accountId());
        if (stored.isEmpty() || stored.get().status() == AccountStatus.DISABLED) {
            return skipped("account '" + current.accountId() + "' is no longer in the account store");
        }
        if (stored.get().status() == AccountStatus.NEEDS_LOGIN) {
            return skipped(needsLogin(current.accountId()));
        }
        boolean replacedMeanwhile = !stored.get().accessToken().equals(current.accessToken());
        if (tokenRefused ? !replacedMeanwhile : expiresSoon(stored.get())) {
            return refreshed(upstream, stored.get(), current.accessToken(), tokenRefused);
        }
        return new Readiness.Ready(CredentialPools.asCredential(upstream, stored.get()));
    }

    private Readiness refreshed(Upstream upstream, StoredAccount stored, Secret stale,
                                boolean tokenRefused) {
        var refresher = refreshers.get(stored.provider());
        if (refresher == null || stored.refreshToken().isEmpty()) {
            return tokenRefused || expired(stored)
                    ? skipped("account '" + stored.id() + "' has no usable token and cannot be refreshed")
                    : new Readiness.Ready(CredentialPools.asCredential(upstream, stored));
        }
        return switch (refreshOnce(stored.id(), stale, refresher)) {
            case Refresh.Done done -> new Readiness.Ready(CredentialPools.asCredential(upstream, done.account()));
            case Refresh.LoginNeeded login -> skipped(needsLogin(stored.id()));
            case Refresh.NotNow notNow -> tokenRefused || expired(stored)
                    ? new Readiness.Unusable(new AttemptOutcome.Retryable<>(RetryReason.REFRESH_FAILED, 0, null,
                            CooldownRule.TRANSIENT))
                    // The old token still works for a while: use it, the next request tries the refresh again.
                    : new Readiness.Ready(CredentialPools.asCredential(upstream, stored));
        };
    }

    /**
     * Runs one refresh of the account, or joins the one running. The winner looks at the store first: if another
     * refresh replaced {@code stale} since the caller read it, that result is the answer and the endpoint is not
     * asked again (it would see a reused refresh token and kill the login).
     */
    private Refresh refreshOnce(String id, Secret stale, TokenRefreshPort refresher) {
        var mine = new CompletableFuture<Refresh>();
        var running = inFlight.putIfAbsent(id, mine);
        if (running != null) {
            return running.join();
        }
        try {
            Refresh result = refreshNow(id, stale, refresher);
            mine.complete(result);
            return result;
        } catch (RuntimeException e) {
            mine.complete(new Refresh.NotNow());
            throw e;
        } finally {
            inFlight.remove(id, mine);
        }
    }

    private Refresh refreshNow(String id, Secret stale, TokenRefreshPort refresher) {
        var current = store.find(id);
        if (current.isEmpty()) {
            return new Refresh.LoginNeeded();
        }
        if (!current.get().accessToken().equals(stale) && !expiresSoon(current.get())) {
            return new Refresh.Done(current.get());
        }
        return switch (refresher.refresh(current.get())) {
            case TokenRefreshPort.Result.Refreshed refreshed -> persisted(refreshed.account());
            case TokenRefreshPort.Result.Rejected rejected -> {
                LOG.log(Level.WARNING, "account {0} needs a new login: its refresh token was refused ({1})", id,
                        rejected.reason());
                store.update(current.get().withStatus(AccountStatus.NEEDS_LOGIN));
                yield new Refresh.LoginNeeded();
            }
            case TokenRefreshPort.Result.Failed failed -> {
                LOG.log(Level.WARNING, "account {0}: token refresh failed, will try again ({1})", id, failed.reason());
                yield new Refresh.NotNow();
            }
        };
    }

    private Refresh persisted(StoredAccount refreshed) {
        try {
            store.update(refreshed);
        } catch (AccountStorePort.AccountStoreException e) {
            // The old refresh token is already spent: losing the new one too would end the login. Keep serving with
            // it and say loudly that the store is behind.
            LOG.log(Level.ERROR, "account " + refreshed.id() + " was refreshed but the account store could not be "
                    + "written; the new tokens live only in memory until the next successful write: " + e.getMessage());
        }
        LOG.log(Level.INFO, "account {0}: token refreshed", refreshed.id());
        return new Refresh.Done(refreshed);
    }

    private boolean expiresSoon(StoredAccount account) {
        return account.expiresAt().map(at -> !clock.instant().plus(REFRESH_AHEAD).isBefore(at)).orElse(false);
    }

    private boolean expired(StoredAccount account) {
        Instant now = clock.instant();
        return account.expiresAt().map(at -> !now.isBefore(at)).orElse(false);
    }

    private static String needsLogin(String id) {
        return "account '" + id + "' needs a new login (its refresh token was refused)";
    }

    private static Readiness skipped(String why) {
        return new Readiness.Unusable(new AttemptOutcome.SkippedAuth<>(why));
    }

    /** Whether an account can be sent with now. */
    public sealed interface Readiness {

        /** Send with this credential (the account's current token). */
        record Ready(Credential.Account credential) implements Readiness {
        }

        /** Do not send: this is the attempt's outcome (SkippedAuth, or a refresh that failed for now). */
        record Unusable(AttemptOutcome<UpstreamReply> outcome) implements Readiness {
        }
    }

    /** How one refresh ended, for everyone who waited for it. */
    private sealed interface Refresh {
        record Done(StoredAccount account) implements Refresh {
        }

        record LoginNeeded() implements Refresh {
        }

        record NotNow() implements Refresh {
        }
    }
}
