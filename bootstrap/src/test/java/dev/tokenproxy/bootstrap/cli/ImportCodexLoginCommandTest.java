package dev.tokenproxy.bootstrap.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenproxy.adapter.out.account.FileAccountStore;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.domain.account.AccountStatus;
import dev.tokenproxy.testing.TestJwt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command as a user runs it: arguments, environment and files in, store file, output and exit code out. */
class ImportCodexLoginCommandTest {

    private static final Instant EXP = Instant.parse("2026-09-01T00:00:00Z");

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private Path config;
    private Path accountsFile;

    @BeforeEach
    void writeConfig() throws IOException {
        config = dir.resolve("conf/token-proxy.yaml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "accounts_file: ./secrets/accounts.json\nupstreams: []\n");
        accountsFile = dir.resolve("conf/secrets/accounts.json");
    }

    @Test
    void importsTheLoginIntoTheStoreTheConfigNamesAndSaysSo() throws IOException {
        Path login = codexLogin("auth.json", "acct-1", "alice@example.com", "rt-alice");

        int exit = run("--config", config.toString(), "--from", login.toString());

        assertThat(exit).isZero();
        assertThat(stderr()).isEmpty();
        assertThat(stdoutLines()).hasSize(2);
        assertThat(stdoutLines().getFirst())
                .isEqualTo("imported codex account 'alice' (alice@example.com) into " + accountsFile);
        assertThat(stdoutLines().get(1)).startsWith("warning: refresh tokens are single-use")
                .contains("deleting " + login).contains("not with 'codex logout'");
        StoredAccount account = storedAccounts().getFirst();
        assertThat(account.id()).isEqualTo("alice");
        assertThat(account.provider()).isEqualTo("codex");
        assertThat(account.status()).isEqualTo(AccountStatus.ACTIVE);
        assertThat(account.refreshToken()).map(Secret::reveal).hasValue("rt-alice");
        assertThat(account.expiresAt()).hasValue(EXP);
        assertThat(account.attributes()).containsEntry("chatgpt_account_id", "acct-1")
                .containsEntry("email", "alice@example.com");
        assertThat(stdout() + stderr()).doesNotContain("rt-alice", account.accessToken().reveal());
    }

    @Test
    void theFirstImportWorksWithAConfigWhoseCodexUpstreamNeedsTheStoreItIsAboutToCreate() throws IOException {
        Files.writeString(config, """
                accounts_file: ./secrets/accounts.json
                upstreams:
                  - { id: codex, provider: codex, base_url: "https://chatgpt.com/backend-api/codex", account: alice }
                """);
        Path login = codexLogin("auth.json", "acct-1", "alice@example.com", "rt-alice");

        int exit = run("--config", config.toString(), "--from", login.toString());

        assertThat(exit).as(stderr()).isZero();
        assertThat(storedAccounts()).extracting(StoredAccount::id).containsExactly("alice");
    }

    @Test
    void theStoreFileIsOwnerOnly() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));

        run("--config", config.toString(), "--from", codexLogin("auth.json", "acct-1", "a@example.com", "rt")
                .toString());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(accountsFile))).isEqualTo("rw-------");
    }

    @Test
    void findsTheConfigInTokenProxyConfigAndTheLoginInCodexHome() throws IOException {
        Path codexHome = dir.resolve("codex-home");
        Files.createDirectories(codexHome);
        codexLogin("codex-home/auth.json", "acct-1", "bob@example.com", "rt-bob");
        env.put("TOKEN_PROXY_CONFIG", config.toString());
        env.put("CODEX_HOME", codexHome.toString());

        int exit = run();

        assertThat(exit).as(stderr()).isZero();
        assertThat(storedAccounts()).extracting(StoredAccount::id).containsExactly("bob");
    }

    @Test
    void withoutCodexHomeTheLoginIsInTheHomeDirectorysDotCodex() throws IOException {
        Files.createDirectories(dir.resolve("home/.codex"));
        codexLogin("home/.codex/auth.json", "acct-1", "carol@example.com", "rt-carol");

        int exit = run("--config", config.toString());

        assertThat(exit).as(stderr()).isZero();
        assertThat(storedAccounts()).extracting(StoredAccount::id).containsExactly("carol");
    }

    @Test
    void importingTheSameLoginAgainIsRefusedUnlessReplacing() throws IOException {
        Path first = codexLogin("auth.json", "acct-1", "alice@example.com", "rt-old");
        run("--config", config.toString(), "--from", first.toString());
        Path again = codexLogin("auth-new.json", "acct-1", "alice@example.com", "rt-new");
        resetOutput();

        int refused = run("--config", config.toString(), "--from", again.toString());

        assertThat(refused).isEqualTo(1);
        assertThat(stdout()).isEmpty();
        assertThat(stderrLines()).singleElement().asString().contains("already, as account 'alice'")
                .contains("--replace");
        assertThat(storedAccounts().getFirst().refreshToken()).map(Secret::reveal).hasValue("rt-old");

        int replaced = run("--config", config.toString(), "--from", again.toString(), "--replace");

        assertThat(replaced).isZero();
        assertThat(storedAccounts()).singleElement().satisfies(account -> {
            assertThat(account.id()).isEqualTo("alice");
            assertThat(account.refreshToken()).map(Secret::reveal).hasValue("rt-new");
        });
    }

    @Test
    void anotherLoginWhoseEmailNameIsTakenGetsTheFirstFreeCodexNumber() throws IOException {
        run("--config", config.toString(), "--from", codexLogin("a.json", "acct-1", "sam@example.com", "rt-1")
                .toString());
        run("--config", config.toString(), "--from", codexLogin("b.json", "acct-2", "sam@example.org", "rt-2")
                .toString());
        run("--config", config.toString(), "--from", codexLogin("c.json", "acct-3", "sam@example.net", "rt-3")
                .toString());

        assertThat(storedAccounts()).extracting(StoredAccount::id).containsExactly("sam", "codex-1", "codex-2");
    }

    @Test
    void anExplicitIdThatExistsIsOverwrittenOnlyWithReplaceAndKeepsItsPlaceAndDisabledStatus() throws IOException {
        run("--config", config.toString(), "--from", codexLogin("a.json", "acct-1", "a@example.com", "rt-a")
                .toString(), "--id", "work");
        run("--config", config.toString(), "--from", codexLogin("b.json", "acct-2", "b@example.com", "rt-b")
                .toString());
        var store = FileAccountStore.open(accountsFile);
        store.update(store.find("work").orElseThrow().withStatus(AccountStatus.DISABLED));
        Path other = codexLogin("c.json", "acct-3", "c@example.com", "rt-c");
        resetOutput();

        assertThat(run("--config", config.toString(), "--from", other.toString(), "--id", "work")).isEqualTo(1);
        assertThat(stderr()).contains("account 'work' exists already");

        assertThat(run("--config", config.toString(), "--from", other.toString(), "--id", "work", "--replace"))
                .isZero();
        assertThat(storedAccounts()).extracting(StoredAccount::id).containsExactly("work", "b");
        StoredAccount work = storedAccounts().getFirst();
        assertThat(work.refreshToken()).map(Secret::reveal).hasValue("rt-c");
        assertThat(work.status()).isEqualTo(AccountStatus.DISABLED);
    }

    @Test
    void anApiKeyLoginFailsWithOneLineAndWritesNothing() throws IOException {
        Path login = dir.resolve("auth.json");
        Files.writeString(login, "{\"OPENAI_API_KEY\":\"sk-very-secret\",\"tokens\":null}");

        int exit = run("--config", config.toString(), "--from", login.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(stderrLines()).singleElement().asString().startsWith("token-proxy import-codex-login: ")
                .contains(login.toString()).contains("API-key login").doesNotContain("sk-very-secret");
        assertThat(accountsFile).doesNotExist();
    }

    @Test
    void aMissingLoginFileFailsNamingIt() {
        Path missing = dir.resolve("nowhere/auth.json");

        assertThat(run("--config", config.toString(), "--from", missing.toString())).isEqualTo(1);
        assertThat(stderr()).contains("no Codex login file at " + missing);
    }

    @Test
    void anInvalidStoreIsNotOverwritten() throws IOException {
        Files.createDirectories(accountsFile.getParent());
        Files.writeString(accountsFile, "{\"accounts\":[{\"id\":\"x\"}]}");

        int exit = run("--config", config.toString(), "--from",
                codexLogin("auth.json", "acct-1", "a@example.com", "rt").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(stderr()).contains("invalid account store " + accountsFile);
        assertThat(accountsFile).hasContent("{\"accounts\":[{\"id\":\"x\"}]}");
    }

    @Test
    void badArgumentsOrConfigurationExitWithTwo() throws IOException {
        Path badConfig = dir.resolve("bad.yaml");
        Files.writeString(badConfig, "accounts_fil: x\n");

        assertThat(run("--frm", "x")).isEqualTo(2);
        assertThat(run("--id")).isEqualTo(2);
        assertThat(run("--id", "has space")).isEqualTo(2);
        assertThat(run("--config", badConfig.toString())).isEqualTo(2);
        assertThat(stderrLines()).hasSize(4).allMatch(line -> line.startsWith("token-proxy import-codex-login: "));
        assertThat(stderrLines().getLast()).contains("invalid configuration");
    }

    private int run(String... args) {
        var command = new ImportCodexLoginCommand(env, dir.resolve("home"),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        return command.run(List.of(args));
    }

    private Path codexLogin(String name, String chatgptAccountId, String email, String refreshToken)
            throws IOException {
        Path file = dir.resolve(name);
        String access = TestJwt.chatgpt(chatgptAccountId, email, "plus", EXP);
        String id = TestJwt.chatgpt(chatgptAccountId, email, "plus", EXP);
        Files.writeString(file, """
                {"OPENAI_API_KEY": null,
                 "tokens": {"id_token": "%s", "access_token": "%s", "refresh_token": "%s", "account_id": "%s"},
                 "last_refresh": "2026-08-31T00:00:00Z"}
                """.formatted(id, access, refreshToken, chatgptAccountId));
        return file;
    }

    private List<StoredAccount> storedAccounts() {
        return FileAccountStore.open(accountsFile).accounts();
    }

    private void resetOutput() {
        stdout.reset();
        stderr.reset();
    }

    private String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private List<String> stdoutLines() {
        return stdout().lines().toList();
    }

    private List<String> stderrLines() {
        return stderr().lines().toList();
    }
}
