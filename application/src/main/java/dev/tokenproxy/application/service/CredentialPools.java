package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.AccountStorePort;
import dev.tokenproxy.domain.account.AccountStatus;
import dev.tokenproxy.domain.account.CredentialState;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.failover.FailoverPolicy;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Builds each upstream's credential pool for a request — API keys from configuration, accounts from the account
 * store, a pinned account as a pool of one — and tells the state of each credential: what the store says about
 * the account, then its cooldown and its usage windows.
 */
public final class CredentialPools {

    private final AccountStorePort accounts;
    private final CooldownBook cooldowns;
    private final UsageBook usage;
    private final Clock clock;
    /**
     * The pools of configured keys, built once per upstream: the failover loop asks for every candidate's pool on
     * every request, and an upstream's keys never change (a reloaded catalog hands out new upstream instances,
     * which miss this cache by identity).
     */
    private final Map<String, KeyPool> keyPools = new ConcurrentHashMap<>();

    public CredentialPools(AccountStorePort accounts, CooldownBook cooldowns, UsageBook usage, Clock clock) {
        this.accounts = accounts;
        this.cooldowns = cooldowns;
        this.usage = usage;
        this.clock = clock;
    }

    /** The upstream's credentials in store or configuration order; disabled accounts are not members at all. */
    public FailoverPolicy.Pool<Credential> poolOf(Upstream upstream) {
        return switch (upstream.credentialSource()) {
            case CredentialSource.ApiKeys keys -> keyPool(upstream, upstream::apiKeyCredentials);
            case CredentialSource.None none -> keyPool(upstream, () -> List.of(upstream.keylessCredential()));
            case CredentialSource.AccountPool pool -> new FailoverPolicy.Pool<>(members(upstream, pool), false);
            case CredentialSource.PinnedAccount pinned -> new FailoverPolicy.Pool<>(accounts.find(pinned.id())
                    .filter(a -> a.status() != AccountStatus.DISABLED)
                    .map(a -> List.<Credential>of(asCredential(upstream, a)))
                    .orElse(List.of()), true);
        };
    }

    private FailoverPolicy.Pool<Credential> keyPool(Upstream upstream, Supplier<List<Credential>> credentials) {
        var cached = keyPools.get(upstream.id());
        if (cached != null && cached.upstream() == upstream) {
            return cached.pool();
        }
        var pool = new FailoverPolicy.Pool<>(credentials.get(), false);
        keyPools.put(upstream.id(), new KeyPool(upstream, pool));
        return pool;
    }

    private List<Credential> members(Upstream upstream, CredentialSource.AccountPool pool) {
        var members = new ArrayList<Credential>();
        if (pool.all()) {
            for (var account : accounts.accounts()) {
                if (account.provider().equals(upstream.provider()) && account.status() != AccountStatus.DISABLED) {
                    members.add(asCredential(upstream, account));
                }
            }
        } else {
            for (String id : pool.ids()) {
                accounts.find(id).filter(a -> a.status() != AccountStatus.DISABLED)
                        .ifPresent(a -> members.add(asCredential(upstream, a)));
            }
        }
        return members;
    }

    static Credential.Account asCredential(Upstream upstream, StoredAccount account) {
        return new Credential.Account(new CredentialKey(upstream.id(), account.id()), account.accessToken(),
                account.expiresAt(), account.attributes());
    }

    /** Whether the credential may be tried now, and if not, why. */
    public CredentialState stateOf(Credential credential) {
        return stateOf(credential, clock.instant());
    }

    private CredentialState stateOf(Credential credential, Instant now) {
        return switch (credential) {
            case Credential.ApiKey key -> CredentialState.of(AccountStatus.ACTIVE,
                    cooldowns.coolingUntil(key.key(), now), now);
            case Credential.Account account -> CredentialState.of(
                    accounts.find(account.accountId()).map(StoredAccount::status).orElse(AccountStatus.DISABLED),
                    later(cooldowns.coolingUntil(account.key(), now), usage.exhaustedUntil(account.key())), now);
        };
    }

    /**
     * When the first of {@code credentials} recovers, if none is available now and at least one is cooling;
     * empty when one is available, or when none will recover by waiting (disabled, needs a login, no members).
     */
    public Optional<Instant> allCoolingUntil(List<Credential> credentials) {
        Instant now = clock.instant();
        Instant earliest = null;
        for (var credential : credentials) {
            switch (stateOf(credential, now)) {
                case CredentialState.Available available -> {
                    return Optional.empty();
                }
                case CredentialState.Cooling cooling -> {
                    if (earliest == null || cooling.until().isBefore(earliest)) {
                        earliest = cooling.until();
                    }
                }
                case CredentialState.Disabled disabled -> { }
                case CredentialState.NeedsLogin needsLogin -> { }
            }
        }
        return Optional.ofNullable(earliest);
    }

    private static Optional<Instant> later(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return Optional.of(a.get().isAfter(b.get()) ? a.get() : b.get());
    }

    private record KeyPool(Upstream upstream, FailoverPolicy.Pool<Credential> pool) {
    }
}
