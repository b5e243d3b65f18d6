package dev.tokenproxy.adapter.out.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.port.out.AccountStorePort.AccountStoreException;
import dev.tokenproxy.domain.account.AccountStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class FileAccountStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant EXPIRY = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsAnEmptyStoreAndIsNotCreatedUntilTheFirstWrite() {
        Path file = dir.resolve("accounts.json");

        FileAccountStore store = FileAccountStore.open(file);

        assertThat(store.accounts()).isEmpty();
        assertThat(file).doesNotExist();
    }

    @Test
    void readsTheContractsExampleWithAttributesAndDefaults() throws IOException {
        Path file = write("""
                { "accounts": [
                  { "id": "codex-a", "provider": "codex", "status": "active",
                    "access_token": "at-a", "refresh_token": "rt-a", "expires_at": "2026-12-01T10:00:00Z",
                    "chatgpt_account_id": "acct-1" },
                  { "id": "kiro-a", "provider": "kiro", "access_token": "at-k", "refresh_token": null,
                    "profile_arn": "arn:aws:codewhisperer:us-east-1:1:profile/P" },
                  { "id": "codex-b", "provider": "codex", "status": "needs_login", "access_token": "at-b" }
                ] }
                """);

        List<StoredAccount> accounts = FileAccountStore.open(file).accounts();

        assertThat(accounts).extracting(StoredAccount::id).containsExactly("codex-a", "kiro-a", "codex-b");
        StoredAccount codex = accounts.getFirst();
        assertThat(codex.provider()).isEqualTo("codex");
        assertThat(codex.status()).isEqualTo(AccountStatus.ACTIVE);
        assertThat(codex.accessToken().reveal()).isEqualTo("at-a");
        assertThat(codex.refreshToken()).map(Secret::reveal).hasValue("rt-a");
        assertThat(codex.expiresAt()).hasValue(EXPIRY);
        assertThat(codex.attributes()).containsExactly(Map.entry("chatgpt_account_id", "acct-1"));
        StoredAccount kiro = accounts.get(1);
        assertThat(kiro.status()).as("status defaults to active").isEqualTo(AccountStatus.ACTIVE);
        assertThat(kiro.refreshToken()).isEmpty();
        assertThat(kiro.expiresAt()).isEmpty();
        assertThat(kiro.attributes()).containsEntry("profile_arn", "arn:aws:codewhisperer:us-east-1:1:profile/P");
        assertThat(accounts.get(2).status()).isEqualTo(AccountStatus.NEEDS_LOGIN);
    }

    @Test
    void anUpdateRewritesTheStoreKeepingOrderAndFieldsAUserAdded() throws IOException {
        Path file = write("""
                { "accounts": [
                  { "id": "a", "provider": "codex", "status": "active", "access_token": "at-a",
                    "refresh_token": "rt-a", "note": "work laptop", "email": "a@example.com" },
                  { "id": "b", "provider": "codex", "status": "disabled", "access_token": "at-b" },
                  { "id": "c", "provider": "kiro", "status": "active", "access_token": "at-c",
                    "profile_arn": "arn:p" }
                ] }
                """);
        FileAccountStore store = FileAccountStore.open(file);
        StoredAccount a = store.find("a").orElseThrow();

        store.update(a.refreshed(new Secret("at-a2"), Optional.of(new Secret("rt-a2")), Optional.of(EXPIRY),
                Map.of("chatgpt_plan_type", "plus")));

        List<StoredAccount> reread = FileAccountStore.open(file).accounts();
        assertThat(reread).extracting(StoredAccount::id).containsExactly("a", "b", "c");
        assertThat(reread).isEqualTo(store.accounts());
        StoredAccount updated = reread.getFirst();
        assertThat(updated.accessToken().reveal()).isEqualTo("at-a2");
        assertThat(updated.refreshToken()).map(Secret::reveal).hasValue("rt-a2");
        assertThat(updated.expiresAt()).hasValue(EXPIRY);
        assertThat(updated.attributes()).containsOnly(Map.entry("note", "work laptop"),
                Map.entry("email", "a@example.com"), Map.entry("chatgpt_plan_type", "plus"));
        assertThat(reread.get(1).status()).isEqualTo(AccountStatus.DISABLED);
        assertThat(reread.get(2).attributes()).containsEntry("profile_arn", "arn:p");
        JsonNode written = JSON.readTree(file.toFile()).at("/accounts/0");
        assertThat(written.path("status").asText()).isEqualTo("active");
        assertThat(written.path("expires_at").asText()).isEqualTo("2026-12-01T10:00:00Z");
    }

    @Test
    void writesNeedsLoginAsItsWireName() throws IOException {
        Path file = write(store(account("a", "at-a")));
        FileAccountStore store = FileAccountStore.open(file);

        store.update(store.find("a").orElseThrow().withStatus(AccountStatus.NEEDS_LOGIN));

        assertThat(JSON.readTree(file.toFile()).at("/accounts/0/status").asText()).isEqualTo("needs_login");
        assertThat(FileAccountStore.open(file).find("a").orElseThrow().status()).isEqualTo(AccountStatus.NEEDS_LOGIN);
    }

    @Test
    void theFirstWriteCreatesMissingDirectoriesAndTheFile() {
        Path file = dir.resolve("data/nested/accounts.json");
        FileAccountStore store = FileAccountStore.open(file);

        store.add(codex("a", "at-a"));

        assertThat(FileAccountStore.open(file).accounts()).extracting(StoredAccount::id).containsExactly("a");
    }

    @Test
    void addAppendsAndRefusesAnIdThatExists() {
        FileAccountStore store = FileAccountStore.open(dir.resolve("accounts.json"));
        store.add(codex("a", "at-a"));
        store.add(codex("b", "at-b"));

        assertThatThrownBy(() -> store.add(codex("a", "at-other")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a' exists already");
        assertThat(store.accounts()).extracting(StoredAccount::id).containsExactly("a", "b");
        assertThat(store.find("a").orElseThrow().accessToken().reveal()).isEqualTo("at-a");
    }

    @Test
    void updatingAnAccountTheStoreDoesNotHoldIsABug() {
        FileAccountStore store = FileAccountStore.open(dir.resolve("accounts.json"));

        assertThatThrownBy(() -> store.update(codex("ghost", "at"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("accounts.json")).doesNotExist();
    }

    @Test
    void anAttributeNamedLikeAFieldIsRefusedRatherThanWrittenTwice() {
        FileAccountStore store = FileAccountStore.open(dir.resolve("accounts.json"));
        var clash = new StoredAccount("a", "codex", AccountStatus.ACTIVE, new Secret("at"), Optional.empty(),
                Optional.empty(), Map.of("access_token", "other"));

        assertThatThrownBy(() -> store.add(clash)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("access_token").hasMessageNotContaining("other");
    }

    @Test
    void theWrittenFileIsOwnerOnly() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path file = dir.resolve("accounts.json");
        Files.writeString(file, store(account("a", "at-a")));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        FileAccountStore store = FileAccountStore.open(file);

        store.update(codex("a", "at-a2"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndTheMemoryUnchanged() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path file = write(store(account("a", "at-a")));
        String before = Files.readString(file);
        FileAccountStore store = FileAccountStore.open(file);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        try {
            // root ignores directory permissions: then there is no failure to observe here (see the next test).
            assumeTrue(!Files.isWritable(dir), "the directory stays writable for this user (root?)");

            assertThatThrownBy(() -> store.update(codex("a", "at-a2")))
                    .isInstanceOf(AccountStoreException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageNotContaining("at-a2");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        assertThat(Files.readString(file)).isEqualTo(before);
        assertThat(store.find("a").orElseThrow().accessToken().reveal()).isEqualTo("at-a");
        assertThat(strayTempFiles()).isEmpty();
    }

    @Test
    void aWriteThatCannotReplaceTheTargetLeavesTheMemoryUnchangedAndNoTempFile() throws IOException {
        Path file = write(store(account("a", "at-a")));
        FileAccountStore store = FileAccountStore.open(file);
        // Something else took the file's place with a non-empty directory: no rename can replace that, even as root.
        Files.delete(file);
        Files.createDirectory(file);
        Files.writeString(file.resolve("keep.txt"), "mine");

        assertThatThrownBy(() -> store.update(codex("a", "at-a2")))
                .isInstanceOf(AccountStoreException.class)
                .hasMessageContaining("cannot write account store " + file)
                .hasMessageNotContaining("at-a2");

        assertThat(store.find("a").orElseThrow().accessToken().reveal()).isEqualTo("at-a");
        assertThat(store.accounts()).hasSize(1);
        assertThat(file.resolve("keep.txt")).hasContent("mine");
        assertThat(strayTempFiles()).isEmpty();
    }

    @Test
    void aTempFileLeftByACrashMidWriteIsIgnoredAtLoadAndByLaterWrites() throws IOException {
        Path file = write(store(account("a", "at-a")));
        // What a crash between creating the temp file and the rename leaves: a half-written temp file beside the store.
        Path stray = dir.resolve(".accounts.json.123456789.tmp");
        Files.writeString(stray, "{\"accounts\":[{\"id\":\"a\",\"provider\":\"co");

        FileAccountStore store = FileAccountStore.open(file);
        assertThat(store.find("a").orElseThrow().accessToken().reveal()).isEqualTo("at-a");

        store.update(codex("a", "at-a2"));
        assertThat(FileAccountStore.open(file).find("a").orElseThrow().accessToken().reveal()).isEqualTo("at-a2");
        assertThat(strayTempFiles()).containsExactly(stray);
    }

    @Test
    void aReaderAlwaysFindsAWholeStoreOldOrNewWhileUpdatesRun() throws Exception {
        Path file = dir.resolve("accounts.json");
        FileAccountStore store = FileAccountStore.open(file);
        store.add(codex("a", "token-0"));
        store.add(new StoredAccount("b", "kiro", AccountStatus.ACTIVE, new Secret("kiro-token"), Optional.empty(),
                Optional.empty(), Map.of("profile_arn", "x".repeat(20_000))));
        int updates = 200;
        var done = new AtomicBoolean();

        CompletableFuture<Integer> reads = CompletableFuture.supplyAsync(() -> {
            int count = 0;
            int lastSeen = 0;
            while (!done.get() || count == 0) {
                List<StoredAccount> seen = FileAccountStore.open(file).accounts();
                assertThat(seen).extracting(StoredAccount::id).containsExactly("a", "b");
                int version = Integer.parseInt(seen.getFirst().accessToken().reveal().substring("token-".length()));
                assertThat(version).as("never goes back").isGreaterThanOrEqualTo(lastSeen);
                lastSeen = version;
                count++;
            }
            return count;
        });
        try {
            for (int i = 1; i <= updates; i++) {
                store.update(codex("a", "token-" + i));
            }
        } finally {
            done.set(true);
        }

        assertThat(reads.get()).isPositive();
        assertThat(FileAccountStore.open(file).find("a").orElseThrow().accessToken().reveal())
                .isEqualTo("token-" + updates);
        assertThat(strayTempFiles()).isEmpty();
    }

    @Test
    void concurrentUpdatesOfDifferentAccountsAllReachTheFile() throws Exception {
        Path file = dir.resolve("accounts.json");
        FileAccountStore store = FileAccountStore.open(file);
        int accounts = 8;
        for (int i = 0; i < accounts; i++) {
            store.add(codex("acc-" + i, "v0"));
        }

        List<CompletableFuture<Void>> writers = java.util.stream.IntStream.range(0, accounts)
                .mapToObj(i -> CompletableFuture.runAsync(() -> {
                    for (int v = 1; v <= 10; v++) {
                        store.update(codex("acc-" + i, "v" + v));
                    }
                })).toList();
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();

        assertThat(FileAccountStore.open(file).accounts()).extracting(account -> account.accessToken().reveal())
                .hasSize(accounts).containsOnly("v10");
    }

    private List<Path> strayTempFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(path -> path.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private Path write(String content) throws IOException {
        Path file = dir.resolve("accounts.json");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private static String store(String... accounts) {
        return "{\"accounts\":[" + String.join(",", accounts) + "]}";
    }

    private static String account(String id, String accessToken) {
        return "{\"id\":\"" + id + "\",\"provider\":\"codex\",\"status\":\"active\",\"access_token\":\""
                + accessToken + "\"}";
    }

    private static StoredAccount codex(String id, String accessToken) {
        return new StoredAccount(id, "codex", AccountStatus.ACTIVE, new Secret(accessToken), Optional.empty(),
                Optional.empty(), Map.of());
    }
}
