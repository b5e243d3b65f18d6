package dev.tokenproxy.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An enabled upstream that can never serve is accepted, with a warning for the log at start. */
class UnusableUpstreamsTest {

    @TempDir
    Path folder;
    private ConfigFiles files;

    @BeforeEach
    void setUp() {
        files = new ConfigFiles(folder, Map.of("OPENAI_KEY", "sk-env-secret"));
    }

    private static String codexStore(String aliceStatus, String bobStatus) {
        return """
                { "accounts": [
                  { "id": "alice", "provider": "codex", "status": "%s", "access_token": "at-alice-secret" },
                  { "id": "bob", "provider": "codex", "status": "%s", "access_token": "at-bob-secret" }
                ] }
                """.formatted(aliceStatus, bobStatus);
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

    @Test
    void anUpstreamWhoseProviderNeedsApiKeysButHasNoneIsAWarningNamingIt() {
        var config = files.load("""
                upstreams:
                  - { id: main, provider: openai, base_url: "https://a.example/v1", api_keys: ["${OPENAI_KEY}"] }
                  - { id: keyless, provider: openai_responses, base_url: "https://b.example/v1" }
                  - { id: empty-list, provider: openai, base_url: "https://c.example/v1", api_keys: [] }
                """);

        assertThat(config.upstreams().upstreams()).hasSize(3);
        assertThat(config.warnings()).containsExactly(
                "upstreams[1] (keyless): provider 'openai_responses' needs api_keys and none is configured, so this "
                        + "upstream can never serve a request (add api_keys, or set enabled: false)",
                "upstreams[2] (empty-list): provider 'openai' needs api_keys and none is configured, so this "
                        + "upstream can never serve a request (add api_keys, or set enabled: false)");
    }

    @Test
    void aDisabledUpstreamIsNoWarning() {
        var config = files.load("""
                upstreams:
                  - { id: parked, provider: openai, base_url: "https://a.example/v1", enabled: false }
                """);

        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void usableUpstreamsAndNoUpstreamsAreNoWarning() {
        files.write("accounts.json", codexStore("active", "disabled"));

        assertThat(files.load("upstreams: []\n").warnings()).isEmpty();
        assertThat(files.load(codexUpstream("accounts: all")).warnings()).isEmpty();
        assertThat(files.load(codexUpstream("account: alice")).warnings()).isEmpty();
        assertThat(new ConfigLoader(Map.of()).loadEmbeddedDefault().warnings()).isEmpty();
    }

    @Test
    void aPoolWhoseAccountsAreAllUnusableIsAWarningCountingThemByStatus() {
        files.write("accounts.json", codexStore("disabled", "needs_login"));

        assertThat(files.load(codexUpstream("accounts: all")).warnings()).containsExactly(
                "upstreams[0] (codex): none of its accounts is active (1 disabled, 1 needs_login), so this upstream "
                        + "cannot serve a request until one is (import a login with import-codex-login, or set "
                        + "enabled: false)");
    }

    @Test
    void aPinnedOrListedAccountThatIsNotActiveIsAWarning() {
        files.write("accounts.json", codexStore("active", "disabled"));

        assertThat(files.load(codexUpstream("account: bob")).warnings()).singleElement().asString()
                .startsWith("upstreams[0] (codex): none of its accounts is active (1 disabled)");
        assertThat(files.load(codexUpstream("accounts: [bob]")).warnings()).hasSize(1);
        assertThat(files.load(codexUpstream("accounts: [bob, alice]")).warnings()).isEmpty();
    }

    @Test
    void aPoolOfAllWithNoAccountOfItsProviderIsAWarning() {
        files.write("accounts.json", """
                { "accounts": [ { "id": "k", "provider": "kiro", "status": "active", "access_token": "at-secret" } ] }
                """);

        assertThat(files.load(codexUpstream("accounts: all")).warnings()).singleElement().asString()
                .startsWith("upstreams[0] (codex): the account store holds no codex account, so this upstream");
    }

    @Test
    void warningsNeverHoldACredential() {
        files.write("accounts.json", codexStore("disabled", "disabled"));

        var config = files.load(codexUpstream("accounts: all") + """
                  - { id: keyless, provider: openai, base_url: "https://user:sk-url-secret@b.example/v1" }
                """);

        assertThat(config.warnings()).hasSize(2).allSatisfy(warning -> assertThat(warning).doesNotContain("secret"));
    }
}
