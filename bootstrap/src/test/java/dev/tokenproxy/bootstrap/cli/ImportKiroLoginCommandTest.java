package dev.tokenproxy.bootstrap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.adapter.out.account.FileAccountStore;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.domain.account.AccountStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code import-kiro-login} as a user runs it: the Kiro IDE's login file in, a kiro account in the store out. */
class ImportKiroLoginCommandTest {

    private static final String ARN = "arn:aws:codewhisperer:us-east-1:123456789012:profile/ALICE";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private Path config;
    private Path accountsFile;
    private Path cache;

    @BeforeEach
    void writeConfig() throws IOException {
        config = dir.resolve("conf/token-proxy.yaml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "accounts_file: ./accounts.json\nupstreams: []\n");
        accountsFile = dir.resolve("conf/accounts.json");
        cache = Files.createDirectories(dir.resolve("home/.aws/sso/cache"));
    }

    @Test
    void importsASocialLoginFromTheIdesDefaultFile() throws IOException {
        Files.writeString(cache.resolve("kiro-auth-token.json"), """
                { "accessToken": "at-alice-secret", "refreshToken": "rt-alice-secret", "profileArn": "%s",
                  "expiresAt": "2026-09-01T00:00:00.000Z", "authMethod": "social", "provider": "Github" }
                """.formatted(ARN));

        int exit = run("--config", config.toString());

        assertThat(exit).as(stderr()).isZero();
        assertThat(stdout()).startsWith("imported kiro account 'kiro-1' (social, " + ARN + ") into " + accountsFile)
                .contains("warning: Kiro may rotate the refresh token");
        StoredAccount account = stored().getFirst();
        assertThat(account.provider()).isEqualTo("kiro");
        assertThat(account.status()).isEqualTo(AccountStatus.ACTIVE);
        assertThat(account.accessToken().reveal()).isEqualTo("at-alice-secret");
        assertThat(account.refreshToken()).map(Secret::reveal).hasValue("rt-alice-secret");
        assertThat(account.expiresAt()).hasValue(Instant.parse("2026-09-01T00:00:00Z"));
        assertThat(account.attributes()).containsEntry("profile_arn", ARN);
        assertThat(stdout() + stderr()).doesNotContain("secret");
    }

    @Test
    void importsAnIdcLoginWithTheClientRegistrationItRefreshesWith() throws IOException {
        Files.writeString(cache.resolve("kiro-auth-token.json"), """
                { "accessToken": "at-b", "refreshToken": "rt-b", "expiresAt": "2026-09-01T00:00:00Z",
                  "authMethod": "IdC", "provider": "BuilderId", "region": "eu-west-1", "clientIdHash": "abc123" }
                """);
        Files.writeString(cache.resolve("abc123.json"), """
                { "clientId": "client-b", "clientSecret": "client-secret-b", "expiresAt": "2027-01-01T00:00:00Z" }
                """);

        int exit = run("--config", config.toString(), "--id", "bob");

        assertThat(exit).as(stderr()).isZero();
        assertThat(stored().getFirst().attributes()).containsEntry("client_id", "client-b")
                .containsEntry("client_secret", "client-secret-b").containsEntry("region", "eu-west-1");
        assertThat(stdout()).startsWith("imported kiro account 'bob' (IdC, no profile ARN)");
    }

    @Test
    void theSameLoginIsNotImportedTwiceUnlessReplaced() throws IOException {
        Path login = Files.writeString(dir.resolve("login.json"), """
                { "accessToken": "at-1", "refreshToken": "rt-1", "profileArn": "%s" }
                """.formatted(ARN));
        assertThat(run("--config", config.toString(), "--from", login.toString())).isZero();
        Files.writeString(login, "{ \"accessToken\": \"at-2\", \"refreshToken\": \"rt-2\", \"profileArn\": \"" + ARN
                + "\" }");

        assertThat(run("--config", config.toString(), "--from", login.toString())).isEqualTo(1);
        assertThat(stderr()).contains("already, as account 'kiro-1'");
        assertThat(run("--config", config.toString(), "--from", login.toString(), "--replace")).isZero();

        assertThat(stored()).singleElement().satisfies(account ->
                assertThat(account.refreshToken()).map(Secret::reveal).hasValue("rt-2"));
    }

    @Test
    void aFileWithoutARefreshTokenIsRefusedNamingTheField() throws IOException {
        Path login = Files.writeString(dir.resolve("login.json"), "{ \"accessToken\": \"at-secret\" }");

        assertThat(run("--config", config.toString(), "--from", login.toString())).isEqualTo(1);

        assertThat(stderr()).startsWith("token-proxy import-kiro-login: ").contains("\"refreshToken\" is missing")
                .doesNotContain("at-secret");
        assertThat(accountsFile).doesNotExist();
    }

    private int run(String... args) {
        return new ImportKiroLoginCommand(Map.of(), dir.resolve("home"), new PrintStream(stdout, true,
                StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8)).run(List.of(args));
    }

    private List<StoredAccount> stored() {
        return FileAccountStore.open(accountsFile).accounts();
    }

    private String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }
}
