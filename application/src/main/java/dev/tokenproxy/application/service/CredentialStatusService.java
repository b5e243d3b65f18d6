package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.CredentialStatusUseCase;
import dev.tokenproxy.application.port.out.AccountStorePort;
import dev.tokenproxy.domain.account.AccountStatus;
import dev.tokenproxy.domain.account.CredentialState;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.cooldown.WaitSeconds;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Builds the operator's view of credentials from the pools, the cooldown book and the usage book. */
public final class CredentialStatusService implements CredentialStatusUseCase {

    private final UpstreamCatalog catalog;
    private final CredentialPools pools;
    private final CooldownBook cooldowns;
    private final UsageBook usage;
    private final AccountStorePort accounts;
    private final Clock clock;

    public CredentialStatusService(UpstreamCatalog catalog, CredentialPools pools, CooldownBook cooldowns,
                                   UsageBook usage, AccountStorePort accounts, Clock clock) {
        this.catalog = catalog;
        this.pools = pools;
        this.cooldowns = cooldowns;
        this.usage = usage;
        this.accounts = accounts;
        this.clock = clock;
    }

    @Override
    public List<UpstreamStatus> upstreams() {
        var list = new ArrayList<UpstreamStatus>();
        for (var upstream : catalog.upstreams()) {
            var credentials = pools.poolOf(upstream).order().stream().map(this::view).toList();
            list.add(new UpstreamStatus(upstream.id(), upstream.provider(), endpoint(upstream.baseUrl()),
                    upstream.priority(), upstream.enabled(), upstream.models(), credentials));
        }
        return list;
    }

    @Override
    public List<AccountStatusView> accounts() {
        var list = new ArrayList<AccountStatusView>();
        for (var account : accounts.accounts()) {
            var uses = new ArrayList<AccountUse>();
            for (var upstream : catalog.upstreams()) {
                pools.poolOf(upstream).order().stream()
                        .filter(c -> c.key().credentialId().equals(account.id()))
                        .forEach(c -> uses.add(new AccountUse(upstream.id(), view(c), usage.latest(c.key()))));
            }
            list.add(new AccountStatusView(account.id(), account.provider(), account.status().wireName(),
                    account.expiresAt(), account.status() == AccountStatus.NEEDS_LOGIN, uses));
        }
        return list;
    }

    @Override
    public List<CooldownView> cooldowns() {
        Instant now = clock.instant();
        return cooldowns.coolingNow().entrySet().stream()
                .map(e -> new CooldownView(e.getKey(), e.getValue(), secondsLeft(e.getValue(), now)))
                .sorted(Comparator.comparing(CooldownView::until))
                .toList();
    }

    @Override
    public boolean clearCooldown(CredentialKey key) {
        return cooldowns.clear(key);
    }

    private CredentialView view(Credential credential) {
        Instant now = clock.instant();
        return switch (pools.stateOf(credential)) {
            case CredentialState.Available a -> new CredentialView(credential.key().credentialId(), "available",
                    Optional.empty(), 0);
            case CredentialState.Cooling c -> new CredentialView(credential.key().credentialId(), "cooling",
                    Optional.of(c.until()), secondsLeft(c.until(), now));
            case CredentialState.Disabled d -> new CredentialView(credential.key().credentialId(), "disabled",
                    Optional.empty(), 0);
            case CredentialState.NeedsLogin n -> new CredentialView(credential.key().credentialId(), "needs_login",
                    Optional.empty(), 0);
        };
    }

    private static long secondsLeft(Instant until, Instant now) {
        Duration left = Duration.between(now, until);
        return left.isNegative() ? 0 : WaitSeconds.roundedUp(left);
    }

    /** Scheme, host, port and path only: user info and a query string may carry a key. */
    static String endpoint(URI baseUrl) {
        try {
            return new URI(baseUrl.getScheme(), null, baseUrl.getHost(), baseUrl.getPort(), baseUrl.getPath(), null,
                    null).toString();
        } catch (java.net.URISyntaxException e) {
            return baseUrl.getScheme() + "://" + baseUrl.getHost();
        }
    }
}
