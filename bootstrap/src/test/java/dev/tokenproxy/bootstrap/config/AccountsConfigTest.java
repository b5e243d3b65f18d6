package dev.tokenproxy.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenproxy.application.model.CredentialSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code accounts}, {@code account} and {@code accounts_file}: read, checked against the store, never ignored. */
class AccountsConfigTest {

    private static final String STORE = """
            { "accounts": [
              { "id": "alice", "provider": "codex", "status": "active", "access_token": "at-alice-secret",
                "refresh_token": "rt-alice-secret", "expires_at": "2026-12-01T10:00:00Z", "chatgpt_account_id": "acc-a" },
              { "id": "bob", "provider": "codex", "status": "active", "access_token": "at-bob-secret" },
              { "id": "kiro-a", "provider": "kiro", "status": "active", "access_token": "at-kiro-secret" }
            ] }
            """;

    @TempDir
    Path folder;
    private ConfigFiles files;

    @BeforeEach
    void setUp() {
        files = new ConfigFiles(folder, Map.of());
    }

    private static String codexUpstream(String credentials) {
        return """
                accounts_file: ./accounts.json
                upstreams:
                  - id: codex
                    provider: codex
                    base_url: https://chatgpt.com/backend-api/codex
                """ + credentials.indent(4);
    }

    private void assertRefusedAt(String yaml, String path, String problem) {
        var e = catchThrowableOfType(ConfigException.class, () -> files.load(yaml));
        assertThat(e).as("refusal of:%n%s", yaml).isNotNull();
        assertThat(e.getMessage()).startsWith(path + ": ").contains(problem).doesNotContain("secret");
    }

    @Test
    void anUnpinnedPoolOfAllAccountsIsTheDefaultAndAListKeepsItsOrder() {
        files.write("accounts.json", STORE);

        assertThat(files.load(codexUpstream("accounts: all")).upstreams().upstreams().get(0).credentialSource())
                .isEqualTo(new CredentialSource.AccountPool(List.of()));
        assertThat(files.load(codexUpstream("")).upstreams().upstreams().get(0).credentialSource())
                .isEqualTo(new CredentialSource.AccountPool(List.of()));
        assertThat(files.load(codexUpstream("accounts: [bob, alice]")).upstreams().upstreams().get(0)
                .credentialSource()).isEqualTo(new CredentialSource.AccountPool(List.of("bob", "alice")));
    }

    @Test
    void aPinnedUpstreamNamesOneAccount() {
        files.write("accounts.json", STORE);

        var config = files.load(codexUpstream("account: alice"));

        assertThat(config.upstreams().upstreams().get(0).credentialSource())
                .isEqualTo(new CredentialSource.PinnedAccount("alice"));
        assertThat(config.accountsFile()).isEqualTo(folder.resolve("accounts.json"));
    }

    @Test
    void anAccountThatIsNotInTheStoreIsRefusedAtStart() {
        files.write("accounts.json", STORE);

        assertRefusedAt(codexUpstream("account: carol"), "upstreams[0].account", "names account 'carol'");
        assertRefusedAt(codexUpstream("accounts: [alice, carol]"), "upstreams[0].accounts", "names account 'carol'");
    }

    @Test
    void aKiroUpstreamDrawsKiroAccountsPooledOrPinned() {
        files.write("accounts.json", STORE);

        assertThat(files.load(kiroUpstream("accounts: all")).upstreams().upstreams().get(0).credentialSource())
                .isEqualTo(new CredentialSource.AccountPool(List.of()));
        assertThat(files.load(kiroUpstream("accounts: [kiro-a]")).upstreams().upstreams().get(0).credentialSource())
                .isEqualTo(new CredentialSource.AccountPool(List.of("kiro-a")));
        assertThat(files.load(kiroUpstream("account: kiro-a")).upstreams().upstreams().get(0).credentialSource())
                .isEqualTo(new CredentialSource.PinnedAccount("kiro-a"));
        assertRefusedAt(kiroUpstream("account: alice"), "upstreams[0].account", "of provider 'codex'");
        assertRefusedAt(kiroUpstream("api_keys: [k]"), "upstreams[0].api_keys", "stored accounts");
    }

    private static String kiroUpstream(String credentials) {
        return """
                accounts_file: ./accounts.json
                upstreams:
                  - id: kiro
                    provider: kiro
                    base_url: https://codewhisperer.us-east-1.amazonaws.com
                """ + credentials.indent(4);
    }

    @Test
    void anAccountOfAnotherProviderIsRefused() {
        files.write("accounts.json", STORE);

        assertRefusedAt(codexUpstream("account: kiro-a"), "upstreams[0].account", "of provider 'kiro'");
    }

    @Test
    void anAccountUpstreamWithoutAStoreFileIsRefusedWithTheWayToCreateOne() {
        assertRefusedAt(codexUpstream("accounts: all"), "upstreams[0]", "import-codex-login");
    }

    @Test
    void anInvalidStoreIsRefusedNamingTheFileButNoToken() {
        files.write("accounts.json", "{ \"accounts\": [ { \"id\": \"x\", \"access_token\": \"at-secret\" } ] }");

        assertRefusedAt(codexUpstream("accounts: all"), "accounts_file", "accounts.json");
    }

    @Test
    void credentialsOfTheWrongKindAreRefusedInsteadOfIgnored() {
        files.write("accounts.json", STORE);

        assertRefusedAt(codexUpstream("api_keys: [sk-secret]"), "upstreams[0].api_keys", "stored accounts");
        assertRefusedAt(codexUpstream("accounts: all\naccount: alice"), "upstreams[0].account", "cannot be combined");
        assertRefusedAt(codexUpstream("accounts: some"), "upstreams[0].accounts", "'all' or a list");
        assertRefusedAt(codexUpstream("accounts: []"), "upstreams[0].accounts", "lists no account");
        assertRefusedAt(codexUpstream("accounts: [alice, alice]"), "upstreams[0].accounts[1]", "duplicate");
        assertRefusedAt("""
                upstreams:
                  - { id: o, provider: openai, base_url: "https://api.openai.com/v1", accounts: all }
                """, "upstreams[0].accounts", "authenticates with api_keys");
    }

    @Test
    void upstreamsWithApiKeysNeedNoAccountStore() {
        var config = files.load("""
                upstreams:
                  - { id: o, provider: openai, base_url: "https://api.openai.com/v1", api_keys: [k] }
                """);

        assertThat(config.upstreams().upstreams()).hasSize(1);
    }
}
