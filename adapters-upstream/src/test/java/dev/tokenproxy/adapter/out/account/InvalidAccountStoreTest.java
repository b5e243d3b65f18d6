package dev.tokenproxy.adapter.out.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenproxy.application.port.out.AccountStorePort.AccountStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store that cannot be loaded says which file and what is wrong with it, and never quotes a token. */
class InvalidAccountStoreTest {

    /** Appears in every broken file below, so that any message quoting a value would show it. */
    private static final String TOKEN = "SECRET-TOKEN-VALUE";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"accounts":[{"id":"a","provider":"codex","access_token":"SECRET-TOKEN-VALUE"},{"id":"a","provider":"codex","access_token":"SECRET-TOKEN-VALUE"}]} | accounts[1].id: duplicate account id 'a'
            {"accounts":[{"provider":"codex","access_token":"SECRET-TOKEN-VALUE"}]}                                         | accounts[0].id: is missing
            {"accounts":[{"id":"  ","provider":"codex","access_token":"SECRET-TOKEN-VALUE"}]}                               | accounts[0].id: must not be blank
            {"accounts":[{"id":"a","access_token":"SECRET-TOKEN-VALUE"}]}                                                   | accounts[0] (id 'a').provider: is missing
            {"accounts":[{"id":"a","provider":"codex"}]}                                                                    | accounts[0] (id 'a').access_token: is missing
            {"accounts":[{"id":"a","provider":"codex","access_token":42}]}                                                  | accounts[0] (id 'a').access_token: must be a string
            {"accounts":[{"id":"a","provider":"codex","status":"SECRET-TOKEN-VALUE","access_token":"x"}]}                    | accounts[0] (id 'a').status: must be one of active, disabled, needs_login
            {"accounts":[{"id":"a","provider":"codex","access_token":"x","expires_at":"SECRET-TOKEN-VALUE"}]}               | accounts[0] (id 'a').expires_at: must be an ISO-8601 instant such as 2026-12-01T10:00:00Z
            {"accounts":[{"id":"a","provider":"codex","access_token":"SECRET-TOKEN-VALUE","extra":{"x":1}}]}                 | accounts[0] (id 'a').extra: must be a string
            {"accounts":[{"id":"a","provider":"codex","access_token":"SECRET-TOKEN-VALUE","access_token":"y"}]}             | a field is written twice in one object at line 1, column
            {"accounts":[{"id":"a","provider":"codex","access_token":SECRET-TOKEN-VALUE}]}                                  | is not valid JSON at line 1, column
            {"accounts":{"id":"a","provider":"codex","access_token":"SECRET-TOKEN-VALUE"}}                                  | "accounts" must be a list
            ["SECRET-TOKEN-VALUE"]                                                                                          | must be a JSON object
            {"accounts":["SECRET-TOKEN-VALUE"]}                                                                             | accounts[0]: must be an object
            """)
    void namesTheFileAndTheProblemWithoutQuotingAValue(String content, String problem) throws IOException {
        Path file = dir.resolve("accounts.json");
        Files.writeString(file, content);

        assertThatThrownBy(() -> FileAccountStore.open(file))
                .isInstanceOf(AccountStoreException.class)
                .hasMessageStartingWith("invalid account store " + file + ": ")
                .hasMessageContaining(problem)
                .hasMessageNotContaining(TOKEN)
                .satisfies(e -> assertThat(e.getCause()).as("a parser's message may quote the file").isNull());
    }

    @Test
    void anEmptyFileIsInvalidNotAnEmptyStore() throws IOException {
        Path file = dir.resolve("accounts.json");
        Files.writeString(file, "");

        assertThatThrownBy(() -> FileAccountStore.open(file)).isInstanceOf(AccountStoreException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void anUnreadableFileNamesTheFile() throws IOException {
        Path file = dir.resolve("accounts.json");
        Files.createDirectory(file);

        assertThatThrownBy(() -> FileAccountStore.open(file)).isInstanceOf(AccountStoreException.class)
                .hasMessageStartingWith("cannot read account store " + file);
    }
}
