package dev.tokenproxy.application.fakes;

import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.port.out.AccountStorePort;
import dev.tokenproxy.domain.account.AccountStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The account store in memory; counts writes so a test can see that a refresh was persisted. */
public final class InMemoryAccountStore implements AccountStorePort {

    private final List<StoredAccount> accounts = new ArrayList<>();
    private int writes;

    /** An active account of {@code provider} with access token {@code at-<id>} and refresh token {@code rt-<id>}. */
    public InMemoryAccountStore add(String id, String provider, Instant expiresAt) {
        accounts.add(new StoredAccount(id, provider, AccountStatus.ACTIVE, new Secret("at-" + id),
                Optional.of(new Secret("rt-" + id)), Optional.ofNullable(expiresAt), Map.of()));
        return this;
    }

    @Override
    public synchronized List<StoredAccount> accounts() {
        return List.copyOf(accounts);
    }

    @Override
    public synchronized Optional<StoredAccount> find(String id) {
        return accounts.stream().filter(a -> a.id().equals(id)).findFirst();
    }

    @Override
    public synchronized void update(StoredAccount account) {
        for (int i = 0; i < accounts.size(); i++) {
            if (accounts.get(i).id().equals(account.id())) {
                accounts.set(i, account);
                writes++;
                return;
            }
        }
        throw new AccountStoreException("no account " + account.id(), null);
    }

    public synchronized int writes() {
        return writes;
    }

    public StoredAccount get(String id) {
        return find(id).orElseThrow();
    }
}
