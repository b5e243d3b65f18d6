package dev.tokenproxy.application.port.out;

import dev.tokenproxy.application.model.StoredAccount;
import java.util.List;
import java.util.Optional;

/**
 * The account store (configuration contract, {@code accounts_file}): read at start, kept in memory, written back
 * whenever an account changes. Implementations are thread-safe.
 */
public interface AccountStorePort {

    /** The store of a gateway without account upstreams: empty, and nothing ever updates one of its accounts. */
    AccountStorePort NONE = new AccountStorePort() {
        @Override
        public List<StoredAccount> accounts() {
            return List.of();
        }

        @Override
        public Optional<StoredAccount> find(String id) {
            return Optional.empty();
        }

        @Override
        public void update(StoredAccount account) {
            throw new IllegalStateException("no upstream draws accounts: nothing updates one");
        }
    };

    /** Every account, in store order (the pool order for {@code fill_first}). */
    List<StoredAccount> accounts();

    Optional<StoredAccount> find(String id);

    /**
     * Replaces the account with the same id and persists the whole store before returning, so that a rotated
     * refresh token is on disk before anyone can use the new access token. A crash mid-write must leave either
     * the old or the new store, never a torn one.
     *
     * @throws AccountStoreException when the store cannot be written; the in-memory state is then unchanged
     */
    void update(StoredAccount account);

    /** The store could not be read or written. Its message names the file, never a token. */
    final class AccountStoreException extends RuntimeException {
        public AccountStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
