package dev.tokenproxy.adapter.out.upstream.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.domain.account.AccountStatus;
import dev.tokenproxy.testing.TestJwt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CodexLoginImportTest {

    private static final Instant EXP = Instant.parse("2026-06-01T08:00:00Z");
    private static final String ACCESS = TestJwt.chatgpt("acct-1", "alice@example.com", "pro", EXP);
    private static final String ID = TestJwt.chatgpt("acct-1", "alice@example.com", "pro", EXP.plusSeconds(60));

    @TempDir
    Path dir;

    @Test
    void importsAChatgptLoginAsAnActiveCodexAccount() throws IOException {
        Path file = authJson("""
                {"OPENAI_API_KEY": null,
                 "tokens": {"id_token": "%s", "access_token": "%s", "refresh_token": "rt-1", "account_id": "acct-1"},
                 "last_refresh": "2026-05-31T08:00:00Z"}
                """.formatted(ID, ACCESS));

        var login = CodexLoginImport.read(file);
        StoredAccount account = login.account("alice");

        assertThat(login.email()).hasValue("alice@example.com");
        assertThat(login.chatgptAccountId()).isEqualTo("acct-1");
        assertThat(account.id()).isEqualTo("alice");
        assertThat(account.provider()).isEqualTo("codex");
        assertThat(account.status()).isEqualTo(AccountStatus.ACTIVE);
        assertThat(account.accessToken().reveal()).isEqualTo(ACCESS);
        assertThat(account.refreshToken()).map(Secret::reveal).hasValue("rt-1");
        assertThat(account.expiresAt()).as("the access token's exp, not the id token's").hasValue(EXP);
        assertThat(account.attributes()).containsEntry("chatgpt_account_id", "acct-1")
                .containsEntry("email", "alice@example.com").containsEntry("chatgpt_plan_type", "pro");
        assertThat(login.toString()).doesNotContain(ACCESS, "rt-1");
    }

    @Test
    void theAccountIdFieldWinsOverTheClaimAndTheClaimServesWhenItIsAbsent() throws IOException {
        String other = TestJwt.chatgpt("acct-claim", "bob@example.com", null, EXP);
        Path withField = authJson(tokens(other, ACCESS, "rt-1", "\"acct-field\""));
        Path withoutField = dir.resolve("other.json");
        Files.writeString(withoutField, tokens(other, ACCESS, "rt-1", "null"));

        assertThat(CodexLoginImport.read(withField).chatgptAccountId()).isEqualTo("acct-field");
        assertThat(CodexLoginImport.read(withoutField).chatgptAccountId()).isEqualTo("acct-claim");
        assertThat(CodexLoginImport.read(withoutField).email()).hasValue("bob@example.com");
    }

    @Test
    void anApiKeyLoginIsNotAnAccount() throws IOException {
        Path file = authJson("{\"OPENAI_API_KEY\": \"sk-secret-key\", \"tokens\": null}");

        assertThatThrownBy(() -> CodexLoginImport.read(file))
                .isInstanceOf(CodexLoginImport.UnusableLoginException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("API-key login (OPENAI_API_KEY)")
                .hasMessageNotContaining("sk-secret-key");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"OPENAI_API_KEY": null}                                                                  | "tokens" is missing
            {"tokens": "SECRET"}                                                                      | "tokens" must be an object
            {"tokens": {"refresh_token": "SECRET", "account_id": "a"}}                                | tokens.access_token is missing
            {"tokens": {"access_token": "SECRET", "account_id": "a"}}                                 | tokens.refresh_token is missing
            {"tokens": {"access_token": "SECRET", "refresh_token": "SECRET", "id_token": "SECRET"}}   | no ChatGPT account id
            {"tokens": {"access_token": SECRET}}                                                      | is not valid JSON at line 1, column
            ["SECRET"]                                                                                | must be a JSON object
            """)
    void aMalformedLoginNamesTheFileAndTheFieldButNoValue(String content, String problem) throws IOException {
        Path file = authJson(content);

        assertThatThrownBy(() -> CodexLoginImport.read(file))
                .isInstanceOf(CodexLoginImport.UnusableLoginException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining(problem)
                .hasMessageNotContaining("SECRET");
    }

    @Test
    void aMissingFileSaysSo() {
        Path file = dir.resolve("nowhere/auth.json");

        assertThatThrownBy(() -> CodexLoginImport.read(file))
                .isInstanceOf(CodexLoginImport.UnusableLoginException.class)
                .hasMessage("no Codex login file at " + file);
    }

    private Path authJson(String content) throws IOException {
        Path file = dir.resolve("auth.json");
        Files.writeString(file, content);
        return file;
    }

    private static String tokens(String idToken, String accessToken, String refreshToken, String accountIdJson) {
        return "{\"tokens\":{\"id_token\":\"" + idToken + "\",\"access_token\":\"" + accessToken
                + "\",\"refresh_token\":\"" + refreshToken + "\",\"account_id\":" + accountIdJson + "}}";
    }
}
