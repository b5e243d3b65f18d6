package dev.tokenproxy.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenproxy.application.model.Secret;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Configuration contract: an invalid file is refused with a one-line reason that names the field path. */
class ConfigValidationTest {

    private static final Map<String, String> ENV = Map.of(
            "TP_KEY", "tp-local-secret",
            "OPENAI_KEY_1", "sk-env-secret",
            "PORT", "9555");

    @TempDir
    Path folder;
    private ConfigFiles files;

    @BeforeEach
    void setUp() {
        files = new ConfigFiles(folder, ENV);
    }

    /** One valid upstream with {@code extra} lines added to it (indented under the list item). */
    private static String upstreamWith(String extra) {
        return """
                upstreams:
                  - id: openai-main
                    provider: openai
                    base_url: https://api.openai.com/v1
                    api_keys: [sk-literal-secret, "${OPENAI_KEY_1}"]
                """ + extra.indent(4);
    }

    private ConfigException refused(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> files.load(yaml));
    }

    private void assertRefusedAt(String yaml, String path, String problem) {
        ConfigException e = refused(yaml);
        assertThat(e).as("refusal of:%n%s", yaml).isNotNull();
        assertThat(e.getMessage()).startsWith(path + ": ").contains(problem)
                .doesNotContain("sk-literal-secret", "sk-env-secret", "tp-local-secret")
                .doesNotContain("\n");
    }

    // --- ${ENV} substitution -------------------------------------------------------------------------------

    @Test
    void environmentReferencesAreReplacedInStringsNumbersAndInsideText() {
        var config = files.load("""
                listen: { port: "${PORT}" }
                local_api_keys: [{ name: laptop, key: "${TP_KEY}" }]
                upstreams:
                  - id: openai-main
                    provider: openai
                    base_url: "http://127.0.0.1:${PORT}/v1"
                    api_keys: ["${OPENAI_KEY_1}", "prefix-${TP_KEY}-${PORT}"]
                """);

        assertThat(config.port()).isEqualTo(9555);
        assertThat(config.localApiKeys().get(0).key().reveal()).isEqualTo("tp-local-secret");
        var upstream = config.upstreams().upstreams().get(0);
        assertThat(upstream.baseUrl().toString()).isEqualTo("http://127.0.0.1:9555/v1");
        assertThat(upstream.apiKeys()).extracting(Secret::reveal)
                .containsExactly("sk-env-secret", "prefix-tp-local-secret-9555");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pa$$word", "costs 5$", "$5 a month", "$lower", "$Mixed_case", "a $ b", "$", "$$"})
    void aDollarThatStartsNoVariableNameIsALiteral(String value) {
        var config = files.load("local_api_keys: [{ name: laptop, key: '" + value + "' }]\n");

        assertThat(config.localApiKeys().get(0).key().reveal()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$TP_KEY", "prefix-$TP_KEY", "$TP_KEY/suffix", "${PORT}-$TP_KEY"})
    void aVariableWithoutBracesIsRefusedSuggestingTheBraces(String value) {
        assertRefusedAt("local_api_keys: [{ name: laptop, key: \"" + value + "\" }]\n", "local_api_keys[0].key",
                "write ${TP_KEY}");
    }

    @Test
    void aVariableWithoutBracesIsRefusedAlsoWhenItIsNotSet() {
        assertRefusedAt(upstreamWith("models: [\"$MODEL_NAME\"]"), "upstreams[0].models[0]", "write ${MODEL_NAME}");
    }

    @Test
    void aSetButEmptyVariableNamesTheVariableAndTheField() {
        var withEmpty = new ConfigFiles(folder, Map.of("OPENAI_KEY_1", "", "TP_KEY", "  "));

        var e = catchThrowableOfType(ConfigException.class, () -> withEmpty.load("""
                upstreams:
                  - { id: a, provider: openai, base_url: "https://a.example/v1", api_keys: ["${OPENAI_KEY_1}"] }
                """));

        assertThat(e.getMessage()).isEqualTo("upstreams[0].api_keys[0]: environment variable OPENAI_KEY_1 is set but "
                + "empty");
        assertThat(catchThrowableOfType(ConfigException.class, () -> withEmpty.load(
                "local_api_keys: [{ name: laptop, key: \"${TP_KEY}\" }]\n")).getMessage())
                .isEqualTo("local_api_keys[0].key: environment variable TP_KEY is set but empty");
    }

    /** One restart tells about every variable there is to set, not one per restart. */
    @Test
    void everyUnusableReferenceIsReportedInOneOneLineError() {
        var withEmpty = new ConfigFiles(folder, Map.of("OPENAI_KEY_1", "sk-env-secret", "EMPTY", ""));

        var e = catchThrowableOfType(ConfigException.class, () -> withEmpty.load("""
                listen: { port: "${PORT}" }
                local_api_keys: [{ name: laptop, key: "${TP_KEY}" }]
                upstreams:
                  - id: a
                    provider: openai
                    base_url: "https://a.example/${EMPTY}"
                    api_keys: ["${OPENAI_KEY_1}", "$OPENAI_KEY_2", "${OPENAI_KEY_3}"]
                """));

        assertThat(e.getMessage()).isEqualTo("listen.port: environment variable PORT is not set; "
                + "local_api_keys[0].key: environment variable TP_KEY is not set; "
                + "upstreams[0].base_url: environment variable EMPTY is set but empty; "
                + "upstreams[0].api_keys[1]: $OPENAI_KEY_2 is not substituted without braces: write ${OPENAI_KEY_2} "
                + "(a value that really holds '$OPENAI_KEY_2' can come from a variable); "
                + "upstreams[0].api_keys[2]: environment variable OPENAI_KEY_3 is not set");
    }

    @Test
    void aValueFromAVariableIsNotScannedAgain() {
        var withDollar = new ConfigFiles(folder, Map.of("LITERAL", "$TP_KEY"));

        var config = withDollar.load("local_api_keys: [{ name: laptop, key: \"${LITERAL}\" }]\n");

        assertThat(config.localApiKeys().get(0).key().reveal()).isEqualTo("$TP_KEY");
    }

    @Test
    void aMissingEnvironmentVariableNamesTheFieldAndTheVariableButNoSecret() {
        var yaml = """
                local_api_keys: [{ name: laptop, key: "${TP_KEY}" }]
                upstreams:
                  - id: openai-main
                    provider: openai
                    base_url: https://api.openai.com/v1
                    api_keys: ["sk-literal-secret", "${OPENAI_KEY_2}"]
                """;

        assertRefusedAt(yaml, "upstreams[0].api_keys[1]", "OPENAI_KEY_2");
    }

    @Test
    void aMissingEnvironmentVariableInALocalKeyNamesThatKey() {
        assertRefusedAt("local_api_keys: [{ name: a, key: ok }, { name: b, key: \"${TP_KEY_B}\" }]\n",
                "local_api_keys[1].key", "TP_KEY_B");
    }

    // --- providers, ids, URLs ------------------------------------------------------------------------------

    @Test
    void anUnknownProviderIsRefused() {
        assertRefusedAt("""
                upstreams:
                  - { id: g, provider: gemini, base_url: "https://g.example/v1" }
                """, "upstreams[0].provider", "unknown provider 'gemini'");
    }

    @Test
    void aProviderRefusalNamesTheProvidersThatWouldBeAccepted() {
        assertRefusedAt("upstreams: [{ id: g, provider: gemini, base_url: \"https://g.example/v1\" }]\n",
                "upstreams[0].provider", "(known: anthropic, codex, kiro, mock, openai, openai_responses)");
    }

    @Test
    void aDuplicateUpstreamIdIsRefused() {
        assertRefusedAt("""
                upstreams:
                  - { id: twin, provider: openai, base_url: "https://a.example/v1" }
                  - { id: other, provider: openai, base_url: "https://b.example/v1" }
                  - { id: twin, provider: openai, base_url: "https://c.example/v1" }
                """, "upstreams[2].id", "duplicate upstream id 'twin'");
    }

    @Test
    void anUpstreamIdWithASlashIsRefused() {
        assertRefusedAt("upstreams:\n  - { id: \"a/b\", provider: openai, base_url: \"https://a.example\" }\n",
                "upstreams[0].id", "/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://x", "not a url", "api.openai.com/v1", "https:///v1", "file:///etc/passwd"})
    void aBaseUrlThatIsNotAnAbsoluteHttpUrlIsRefused(String url) {
        assertRefusedAt("""
                upstreams:
                  - id: openai-main
                    provider: openai
                    base_url: "%s"
                """.formatted(url), "upstreams[0].base_url", "URL");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ftp://user:sk-url-secret@host.example/v1?key=sk-url-secret   | 'ftp://<redacted>@host.example/v1?<redacted>'",
            "https://user:sk-url-secret@/v1                               | 'https://<redacted>@/v1'",
            "https://user:sk-url/secret@/v1#sk-url-secret                 | 'https://<redacted>@/v1#<redacted>'",
            "ftp://host.example/v1#token=sk-url-secret?key=sk-url-secret  | 'ftp://host.example/v1#<redacted>'",
            "user:sk-url-secret@host.example/v1                           | not shown",
    })
    void aRefusedUrlIsShownWithoutItsUserInfoQueryOrFragment(String url, String shown) {
        ConfigException e = refused("""
                upstreams:
                  - { id: a, provider: openai, base_url: "%s" }
                """.formatted(url));

        assertThat(e.getMessage()).startsWith("upstreams[0].base_url: ").contains(shown)
                .doesNotContain("sk-url-secret").doesNotContain("user:");
    }

    @Test
    void aRefusedUrlFromTheEnvironmentIsShownWithoutCredentialsToo() {
        var withUrl = new ConfigFiles(folder, Map.of("BASE_URL", "ftp://u:sk-env-url-secret@h.example/v1?k=sk-q"));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> withUrl.load("""
                upstreams:
                  - { id: a, provider: openai, base_url: "${BASE_URL}" }
                """));

        assertThat(e.getMessage()).contains("'ftp://<redacted>@h.example/v1?<redacted>'")
                .doesNotContain("sk-env-url-secret").doesNotContain("sk-q");
    }

    @Test
    void aKeyPutWhereAUrlBelongsIsNotShown() {
        ConfigException e = refused("""
                upstreams:
                  - { id: a, provider: openai, base_url: "${OPENAI_KEY_1}" }
                """);

        assertThat(e.getMessage()).startsWith("upstreams[0].base_url: ").contains("not shown")
                .doesNotContain("sk-env-secret");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "routing: { strategy: \"${TP_KEY}\" }                                        | routing.strategy",
            "routing: { account_strategy: \"${OPENAI_KEY_1}\" }                          | routing.account_strategy",
            "routing: { strategy: sk-literal-secret-pasted-in-the-wrong-place }          | routing.strategy",
            "upstreams: [{ id: a, provider: \"${OPENAI_KEY_1}\", base_url: \"https://a.example\" }] | upstreams[0].provider",
    })
    void aRefusedChoiceFromTheEnvironmentOrThatLooksLikeAKeyIsNotShown(String yaml, String path) {
        ConfigException e = refused(yaml + "\n");

        assertThat(e.getMessage()).startsWith(path + ": ").contains("not shown")
                .doesNotContain("tp-local-secret", "sk-env-secret", "sk-literal-secret");
    }

    @Test
    void aMisspelledChoiceWrittenInTheFileIsShown() {
        assertRefusedAt("routing: { strategy: round-robin }\n", "routing.strategy", "got 'round-robin'");
    }

    @Test
    void anOAuthEndpointThatIsNotAnHttpUrlIsRefused() {
        assertRefusedAt("oauth: { codex_token_url: \"ftp://auth.example/token\" }\n", "oauth.codex_token_url", "URL");
    }

    // --- unknown fields, types, ranges ---------------------------------------------------------------------

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "upstream: []                                     | upstream",
            "listen: { hots: 127.0.0.1 }                      | listen.hots",
            "routing: { stratgy: round_robin }                | routing.stratgy",
            "timeouts: { connect: 5 }                         | timeouts.connect",
            "cooldown: { base: 5 }                            | cooldown.base",
            "oauth: { codex_url: \"https://x.example\" }      | oauth.codex_url",
            "local_api_keys: [{ name: a, key: k, scope: [x] }] | local_api_keys[0].scope",
    })
    void aMisspelledFieldIsRefusedInsteadOfIgnored(String yaml, String path) {
        assertRefusedAt(yaml + "\n", path, "unknown field");
    }

    @Test
    void aMisspelledUpstreamFieldIsRefusedWithoutEchoingTheKeys() {
        assertRefusedAt(upstreamWith("api_key: sk-literal-secret"), "upstreams[0].api_key", "unknown field");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "listen: { port: -1 }                                | listen.port",
            "listen: { port: 65536 }                             | listen.port",
            "routing: { same_upstream_retries: -1 }              | routing.same_upstream_retries",
            "routing: { same_upstream_retries: 11 }              | routing.same_upstream_retries",
            "routing: { request_deadline_seconds: -1 }           | routing.request_deadline_seconds",
            "timeouts: { connect_seconds: -5 }                   | timeouts.connect_seconds",
            "timeouts: { first_output_seconds: -1 }              | timeouts.first_output_seconds",
            "timeouts: { idle_seconds: 99999999 }                | timeouts.idle_seconds",
            "cooldown: { base_seconds: -1 }                      | cooldown.base_seconds",
            "cooldown: { credential_seconds: -300 }              | cooldown.credential_seconds",
            "cooldown: { hint_max_seconds: -1 }                  | cooldown.hint_max_seconds",
            "max_request_body_bytes: 0                           | max_request_body_bytes",
            "max_request_body_bytes: -20971520                   | max_request_body_bytes",
            "max_request_body_bytes: 99999999999                 | max_request_body_bytes",
            "shutdown_grace_seconds: -1                          | shutdown_grace_seconds",
    })
    void aNumberOutOfRangeIsRefused(String yaml, String path) {
        assertRefusedAt(yaml + "\n", path, "must be between");
    }

    @Test
    void aCooldownCapBelowItsBaseIsRefused() {
        assertRefusedAt("cooldown: { base_seconds: 60, max_seconds: 30 }\n", "cooldown.max_seconds", "base_seconds");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "listen: { port: abc }                          | listen.port                      | integer",
            "listen: { port: 92.08 }                        | listen.port                      | integer",
            "listen: 9208                                   | listen                           | mapping",
            "routing: fill_first                            | routing                          | mapping",
            "routing: { same_upstream_retries: true }       | routing.same_upstream_retries    | integer",
            "data_dir: [a, b]                               | data_dir                         | string",
            "upstreams: { id: a }                           | upstreams                        | list",
            "local_api_keys: laptop                         | local_api_keys                   | list",
            "local_api_keys: [{ name: a, key: [k] }]        | local_api_keys[0].key            | string",
            "local_api_keys: [{ name: a, key: k, upstreams: '*' }] | local_api_keys[0].upstreams | list",
    })
    void aValueOfTheWrongTypeIsRefused(String yaml, String path, String expected) {
        assertRefusedAt(yaml + "\n", path, expected);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "enabled: maybe                        | upstreams[0].enabled              | true or false",
            "echo_requested_model: 1               | upstreams[0].echo_requested_model | true or false",
            "priority: high                        | upstreams[0].priority             | integer",
            "priority: 1.5                         | upstreams[0].priority             | integer",
            "models: gpt-4.1                       | upstreams[0].models               | list",
            "model_mappings: [gpt-4o]              | upstreams[0].model_mappings       | mapping",
    })
    void anUpstreamFieldOfTheWrongTypeIsRefused(String yaml, String path, String expected) {
        assertRefusedAt(upstreamWith(yaml), path, expected);
    }

    @Test
    void apiKeysThatAreNotAListAreRefusedWithoutEchoingTheKey() {
        assertRefusedAt("""
                upstreams:
                  - id: openai-main
                    provider: openai
                    base_url: https://api.openai.com/v1
                    api_keys: sk-literal-secret
                """, "upstreams[0].api_keys", "list");
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "FILL_FIRST", "fill-first", "\"\""})
    void anUnknownStrategyIsRefused(String value) {
        assertRefusedAt("routing: { strategy: " + value + " }\n", "routing.strategy", "fill_first, round_robin");
    }

    @Test
    void anUnknownAccountStrategyIsRefused() {
        assertRefusedAt("routing: { account_strategy: least_used }\n", "routing.account_strategy", "round_robin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a*b", "*a", "**"})
    void aModelMappingKeyWithAStarAnywhereButTheEndIsRefused(String key) {
        assertRefusedAt(upstreamWith("model_mappings: { \"" + key + "\": gpt-4.1 }"), "upstreams[0].model_mappings",
                "'*'");
    }

    @Test
    void anEmptyModelMappingTargetIsRefused() {
        assertRefusedAt(upstreamWith("model_mappings: { gpt-4o: \"\" }"), "upstreams[0].model_mappings.gpt-4o",
                "required");
    }

    // --- required fields -----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "upstreams: [{ provider: openai, base_url: \"https://a.example\" }] | upstreams[0].id",
            "upstreams: [{ id: a, base_url: \"https://a.example\" }]            | upstreams[0].provider",
            "upstreams: [{ id: a, provider: openai }]                          | upstreams[0].base_url",
            "local_api_keys: [{ name: laptop }]                                | local_api_keys[0].key",
            "local_api_keys: [{ name: laptop, key: \"\" }]                     | local_api_keys[0].key",
            "local_api_keys: [{ name: laptop, key: \"   \" }]                  | local_api_keys[0].key",
            "local_api_keys: [{ key: k }]                                      | local_api_keys[0].name",
    })
    void aMissingRequiredFieldIsRefused(String yaml, String path) {
        assertRefusedAt(yaml + "\n", path, "is required");
    }

    @Test
    void aBlankApiKeyIsRefused() {
        assertRefusedAt(upstreamWith("").replace("sk-literal-secret", "\"\""), "upstreams[0].api_keys[0]",
                "is required");
    }

    @Test
    void aDuplicateLocalKeyNameIsRefused() {
        assertRefusedAt("local_api_keys: [{ name: laptop, key: a }, { name: laptop, key: b }]\n",
                "local_api_keys[1].name", "duplicate");
    }

    // --- listening host ------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "\"::\""})
    void aNonLoopbackHostWithoutLocalKeysIsRefused(String host) {
        assertRefusedAt("listen: { host: " + host + " }\n", "local_api_keys", "non-loopback");
        assertRefusedAt("listen: { host: " + host + " }\nlocal_api_keys: []\n", "local_api_keys", "non-loopback");
    }

    @Test
    void aNonLoopbackHostWithLocalKeysIsAllowed() {
        var config = files.load("listen: { host: 0.0.0.0 }\nlocal_api_keys: [{ name: laptop, key: \"${TP_KEY}\" }]\n");

        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.localApiKeys()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "\"::1\"", "127.0.0.2"})
    void aLoopbackHostNeedsNoLocalKeys(String host) {
        assertThat(files.load("listen: { host: " + host + " }\n").localApiKeys()).isEmpty();
    }

    // --- the file as a whole -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"- a\n- b\n", "just a string\n", "42\n"})
    void aFileThatIsNotAMappingIsRefused(String yaml) {
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> files.load(yaml))
                .withMessageContaining("must be a mapping");
    }

    /**
     * YAML requires mapping keys to be unique: a doubled {@code listen:} or {@code api_keys:} is refused rather
     * than silently keeping the last one (the "silently ignored setting" the unknown-field check prevents).
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "listen: { host: 127.0.0.1, port: 9208 }\nlisten: { port: 1 }\n",
            "upstreams:\n  - id: a\n    provider: openai\n    base_url: https://a.example\n    api_keys: [k1]\n"
                    + "    api_keys: [k2]\n",
    })
    void aDuplicatedKeyIsRefusedInsteadOfSilentlyOverridden(String yaml) {
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> files.load(yaml));
    }
}
