package dev.tokenproxy.adapter.out.account;

import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.port.out.AccountStorePort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The account store in one JSON file ({@code accounts_file}), read once at start and kept in memory. Every change
 * rewrites the whole file atomically ({@link AtomicFileWriter}) before it becomes visible, so a rotated refresh token
 * is on disk before anyone can use the access token that came with it.
 *
 * <p>Readers take an immutable snapshot without locking; writers are serialised by one lock, so two refreshes of
 * different accounts cannot write stores that each miss the other's change.
 */
public final class FileAccountStore implements AccountStorePort {

    private final Path file;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile List<StoredAccount> accounts;

    private FileAccountStore(Path file, List<StoredAccount> accounts) {
        this.file = file;
        this.accounts = List.copyOf(accounts);
    }

    /**
     * Loads the store. A missing file is an empty store; the file is created by the first write.
     *
     * @throws AccountStoreException when the file cannot be read or is not a valid store; the message names the file
     *                               and the problem, never a token
     */
    public static FileAccountStore open(Path file) {
        Objects.requireNonNull(file, "file");
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new FileAccountStore(file, List.of());
        } catch (IOException e) {
            throw new AccountStoreException("cannot read account store " + file + ": " + describe(e), e);
        }
        try {
            return new FileAccountStore(file, AccountsJson.read(content));
        } catch (AccountsJson.InvalidAccounts e) {
            throw new AccountStoreException("invalid account store " + file + ": " + e.getMessage(), null);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public List<StoredAccount> accounts() {
        return accounts;
    }

    @Override
    public Optional<StoredAccount> find(String id) {
        return accounts.stream().filter(account -> account.id().equals(id)).findFirst();
    }

    /** @throws IllegalArgumentException when no account has this id: the caller was handed an account we never had */
    @Override
    public void update(StoredAccount account) {
        change(account, current -> {
            var next = new ArrayList<>(current);
            int index = indexOf(current, account.id());
            if (index < 0) {
                throw new IllegalArgumentException("no account '" + account.id() + "' in the store to update");
            }
            next.set(index, account);
            return next;
        });
    }

    /**
     * Appends a new account (last in pool order) and persists the store.
     *
     * @throws IllegalArgumentException when an account with this id exists already
     * @throws AccountStoreException    when the store cannot be written; the in-memory state is then unchanged
     */
    public void add(StoredAccount account) {
        change(account, current -> {
            if (indexOf(current, account.id()) >= 0) {
                throw new IllegalArgumentException("account '" + account.id() + "' exists already");
            }
            var next = new ArrayList<>(current);
            next.add(account);
            return next;
        });
    }

    private void change(StoredAccount account, UnaryOperator<List<StoredAccount>> edit) {
        Objects.requireNonNull(account, "account");
        List<String> clashes = AccountsJson.reservedAttributeNames(account);
        if (!clashes.isEmpty()) {
            throw new IllegalArgumentException("account '" + account.id() + "' has attributes named like fields of "
                    + "the store: " + clashes);
        }
        writeLock.lock();
        try {
            List<StoredAccount> next = List.copyOf(edit.apply(accounts));
            try {
                AtomicFileWriter.write(file, AccountsJson.write(next));
            } catch (IOException e) {
                throw new AccountStoreException("cannot write account store " + file + ": " + describe(e), e);
            }
            // Only now: whoever reads the new state can rely on it being on disk.
            accounts = next;
        } finally {
            writeLock.unlock();
        }
    }

    private static int indexOf(List<StoredAccount> accounts, String id) {
        for (int i = 0; i < accounts.size(); i++) {
            if (accounts.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** The kind of I/O failure and the path it names; file-system messages hold paths and reasons, not content. */
    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }

    @Override
    public String toString() {
        return "FileAccountStore[" + file + ", " + accounts.size() + " accounts]";
    }
}
