package dev.tokenproxy.application.model;

import java.util.List;
import java.util.Objects;

/** Where an upstream's credentials come from (configuration: {@code api_keys}, {@code accounts}, {@code account}). */
public sealed interface CredentialSource {

    /** API keys written in configuration; each is its own credential with its own cooldown. */
    record ApiKeys(List<Secret> keys) implements CredentialSource {
        public ApiKeys {
            keys = List.copyOf(keys);
        }
    }

    /**
     * An unpinned pool of stored accounts of the upstream's provider.
     *
     * @param ids the accounts to draw from, in this order; empty means every account of the provider, in store order
     *            ({@code accounts: all})
     */
    record AccountPool(List<String> ids) implements CredentialSource {
        public AccountPool {
            ids = List.copyOf(ids);
        }

        public boolean all() {
            return ids.isEmpty();
        }
    }

    /**
     * The provider needs no credential (an in-process upstream such as {@code mock}): the pool is one keyless
     * credential, so the upstream is tried rather than skipped for having no key.
     */
    record None() implements CredentialSource {
    }

    /** Pinned to one stored account ({@code account: id}): a pool of one that never switches. */
    record PinnedAccount(String id) implements CredentialSource {
        public PinnedAccount {
            Objects.requireNonNull(id, "id");
        }
    }
}
