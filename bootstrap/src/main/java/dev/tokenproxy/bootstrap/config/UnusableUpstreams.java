package dev.tokenproxy.bootstrap.config;

import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.out.AccountStorePort;
import dev.tokenproxy.application.port.out.ProviderDescriptor.CredentialKind;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry;
import dev.tokenproxy.domain.account.AccountStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Enabled upstreams that can never serve a request as configured: one warning each, so that the operator learns it
 * at start rather than from failed requests. Not errors: the rest of the configuration may well be usable, and an
 * account may be logged in again while the gateway runs. Only clear cases: no credential at all, or none usable.
 * A warning names the upstream and its provider, never a credential.
 */
final class UnusableUpstreams {

    private UnusableUpstreams() {
    }

    /** @param store the account store, when an upstream draws accounts and it was opened */
    static List<String> warnings(UpstreamCatalog catalog, ProviderRegistry providers,
                                 Optional<AccountStorePort> store) {
        var warnings = new ArrayList<String>();
        var upstreams = catalog.upstreams();
        for (int i = 0; i < upstreams.size(); i++) {
            var upstream = upstreams.get(i);
            if (!upstream.enabled()) {
                continue; // switched off on purpose: nothing to warn about
            }
            String name = "upstreams[" + i + "] (" + upstream.id() + ")";
            if (needsApiKeysButHasNone(upstream, providers)) {
                warnings.add(name + ": provider '" + upstream.provider() + "' needs api_keys and none is configured, "
                        + "so this upstream can never serve a request (add api_keys, or set enabled: false)");
            }
            store.flatMap(accounts -> noUsableAccount(upstream, accounts))
                    .ifPresent(reason -> warnings.add(name + ": " + reason + ", so this upstream cannot serve a "
                            + "request until one is (import a login with import-" + upstream.provider()
                            + "-login, or set enabled: false)"));
        }
        return warnings;
    }

    /** Decided by what the provider authenticates with, not by its name: a provider may need no credential. */
    private static boolean needsApiKeysButHasNone(Upstream upstream, ProviderRegistry providers) {
        return providers.lookup(upstream.provider()) instanceof ProviderRegistry.Lookup.Available available
                && available.provider().descriptor().credentials() == CredentialKind.API_KEYS
                && upstream.credentialSource() instanceof CredentialSource.ApiKeys keys
                && keys.keys().isEmpty();
    }

    /** Why none of the accounts the upstream draws is active, if none is. */
    private static Optional<String> noUsableAccount(Upstream upstream, AccountStorePort store) {
        var drawn = drawnAccounts(upstream, store);
        if (drawn.isEmpty() || drawn.get().stream().anyMatch(account -> account.status() == AccountStatus.ACTIVE)) {
            return Optional.empty();
        }
        if (drawn.get().isEmpty()) {
            return Optional.of("the account store holds no " + upstream.provider() + " account");
        }
        var byStatus = new TreeMap<String, Integer>();
        drawn.get().forEach(account -> byStatus.merge(account.status().wireName(), 1, Integer::sum));
        var counts = new ArrayList<String>();
        byStatus.forEach((status, count) -> counts.add(count + " " + status));
        return Optional.of("none of its accounts is active (" + String.join(", ", counts) + ")");
    }

    /** The stored accounts the upstream may use; empty when it uses no stored accounts at all. */
    private static Optional<List<StoredAccount>> drawnAccounts(Upstream upstream, AccountStorePort store) {
        return switch (upstream.credentialSource()) {
            case CredentialSource.ApiKeys keys -> Optional.empty();
            case CredentialSource.None none -> Optional.empty();
            case CredentialSource.PinnedAccount pinned -> Optional.of(store.find(pinned.id()).stream().toList());
            case CredentialSource.AccountPool pool when pool.all() -> Optional.of(store.accounts().stream()
                    .filter(account -> account.provider().equals(upstream.provider())).toList());
            case CredentialSource.AccountPool pool -> Optional.of(pool.ids().stream()
                    .flatMap(id -> store.find(id).stream()).toList());
        };
    }
}
