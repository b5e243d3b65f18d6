package dev.tokenproxy.bootstrap.config;

import dev.tokenproxy.adapter.out.upstream.mock.MockFault;
import dev.tokenproxy.adapter.out.upstream.mock.MockSchedule;
import dev.tokenproxy.adapter.out.upstream.mock.MockScript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import dev.tokenproxy.domain.failover.RoutingStrategy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration contract: every field of the file mapped, the defaults, and where the file comes from. */
class ConfigLoaderTest {

    private static final Map<String, String> ENV = Map.of(
            "TP_KEY", "tp-laptop-secret",
            "OPENAI_KEY_1", "sk-first-secret",
            "OPENAI_KEY_2", "sk-second-secret");

    /**
     * The full example of the configuration contract, with every value changed from its default so that a field
     * that is not read shows. Only {@code openai} upstreams: the other providers are refused in this version.
     */
    private static final String FULL_EXAMPLE = """
            listen: { host: 127.0.0.1, port: 9300 }
            data_dir: ./state                      # usage store, account store default location
            local_api_keys:
              - { name: laptop, key: "${TP_KEY}", upstreams: ["*"] }
              - { name: ci, key: ci-literal-key, upstreams: [openai-main, openai-backup] }
            routing:
              strategy: round_robin
              account_strategy: round_robin
              same_upstream_retries: 3
              request_deadline_seconds: 120
            timeouts:
              connect_seconds: 5
              first_output_seconds: 45
              idle_seconds: 90
            cooldown:
              base_seconds: 7
              max_seconds: 40
              credential_seconds: 600
              hint_max_seconds: 3600
            max_request_body_bytes: 1048576
            accounts_file: ./secrets/accounts.json
            oauth:
              codex_token_url: http://127.0.0.1:8081/oauth/token
              kiro_refresh_url: http://127.0.0.1:8082/refreshToken
            shutdown_grace_seconds: 25
            upstreams:
              - id: openai-main
                provider: openai
                base_url: https://api.openai.com/v1
                api_keys: ["${OPENAI_KEY_1}", "${OPENAI_KEY_2}"]
                priority: 10
                enabled: true
                models: []
                model_mappings: { "gpt-4o*": "gpt-4.1" }
                echo_requested_model: false
              - id: openai-backup
                provider: openai
                base_url: http://127.0.0.1:8080/v1
                api_keys: [sk-backup-literal]
                priority: -5
                enabled: false
                models: [gpt-4.1, gpt-4o-mini]
                model_mappings: { "gpt-4o-mini": "gpt-4.1-mini", "*": "gpt-4.1" }
                echo_requested_model: true
            """;

    @TempDir
    Path folder;
    private ConfigFiles files;

    @BeforeEach
    void setUp() {
        files = new ConfigFiles(folder, ENV);
    }

    @Test
    void theFullExampleMapsEveryTopLevelField() {
        var config = files.load(FULL_EXAMPLE);

        assertThat(config.source()).isEqualTo(folder.resolve("token-proxy.yaml").toString());
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(9300);
        assertThat(config.dataDir()).isEqualTo(folder.resolve("state").toAbsolutePath());
        assertThat(config.accountsFile()).isEqualTo(folder.resolve("secrets/accounts.json").toAbsolutePath());
        assertThat(config.maxRequestBodyBytes()).isEqualTo(1_048_576L);
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(25));
        assertThat(config.oauth().codexTokenUrl()).isEqualTo(URI.create("http://127.0.0.1:8081/oauth/token"));
        assertThat(config.oauth().kiroRefreshUrl()).isEqualTo(URI.create("http://127.0.0.1:8082/refreshToken"));
    }

    @Test
    void theFullExampleMapsRoutingTimeoutsAndCooldowns() {
        var config = files.load(FULL_EXAMPLE);

        assertThat(config.settings()).isEqualTo(new GatewaySettings(RoutingStrategy.ROUND_ROBIN,
                RoutingStrategy.ROUND_ROBIN, 3, Duration.ofSeconds(120),
                new AttemptTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(45), Duration.ofSeconds(90))));
        assertThat(config.cooldown()).isEqualTo(new CooldownPolicy(Duration.ofSeconds(7), Duration.ofSeconds(40),
                Duration.ofSeconds(600), Duration.ofSeconds(3600)));
    }

    @Test
    void theFullExampleMapsLocalKeysWithTheirScopes() {
        var keys = files.load(FULL_EXAMPLE).localApiKeys();

        assertThat(keys).hasSize(2);
        assertThat(keys.get(0).name()).isEqualTo("laptop");
        assertThat(keys.get(0).key().reveal()).isEqualTo("tp-laptop-secret");
        assertThat(keys.get(0).upstreams()).containsExactly("*");
        assertThat(keys.get(1).name()).isEqualTo("ci");
        assertThat(keys.get(1).key().reveal()).isEqualTo("ci-literal-key");
        assertThat(keys.get(1).upstreams()).containsExactlyInAnyOrder("openai-main", "openai-backup");
    }

    @Test
    void theFullExampleMapsEveryUpstreamField() {
        var upstreams = files.load(FULL_EXAMPLE).upstreams().upstreams();

        assertThat(upstreams).extracting(Upstream::id).containsExactly("openai-main", "openai-backup");
        Upstream main = upstreams.get(0);
        assertThat(main.provider()).isEqualTo("openai");
        assertThat(main.baseUrl()).isEqualTo(URI.create("https://api.openai.com/v1"));
        assertThat(main.apiKeys()).extracting(Secret::reveal).containsExactly("sk-first-secret", "sk-second-secret");
        assertThat(main.priority()).isEqualTo(10);
        assertThat(main.enabled()).isTrue();
        assertThat(main.models()).isEmpty();
        assertThat(main.modelMappings().map("gpt-4o-mini")).isEqualTo("gpt-4.1");
        assertThat(main.modelMappings().map("o3")).isEqualTo("o3");
        assertThat(main.echoRequestedModel()).isFalse();

        Upstream backup = upstreams.get(1);
        assertThat(backup.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:8080/v1"));
        assertThat(backup.apiKeys()).extracting(Secret::reveal).containsExactly("sk-backup-literal");
        assertThat(backup.priority()).isEqualTo(-5);
        assertThat(backup.enabled()).isFalse();
        assertThat(backup.models()).containsExactlyInAnyOrder("gpt-4.1", "gpt-4o-mini");
        assertThat(backup.admits("o3")).isFalse();
        assertThat(backup.modelMappings().map("gpt-4o-mini")).isEqualTo("gpt-4.1-mini");
        assertThat(backup.modelMappings().map("anything-else")).isEqualTo("gpt-4.1");
        assertThat(backup.echoRequestedModel()).isTrue();
    }

    @Test
    void upstreamsKeepTheirConfigurationOrder() {
        var config = files.load("""
                upstreams:
                  - { id: c, provider: openai, base_url: "https://c.example/v1" }
                  - { id: a, provider: openai, base_url: "https://a.example/v1" }
                  - { id: b, provider: openai, base_url: "https://b.example/v1" }
                """);

        assertThat(config.upstreams().upstreams()).extracting(Upstream::id).containsExactly("c", "a", "b");
    }

    @Test
    void absentFieldsTakeTheirDefaults() {
        var config = files.load("upstreams: []\n");

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(9208);
        assertThat(config.localApiKeys()).isEmpty();
        assertThat(config.settings().strategy()).isEqualTo(RoutingStrategy.FILL_FIRST);
        assertThat(config.settings().accountStrategy()).isEqualTo(RoutingStrategy.FILL_FIRST);
        assertThat(config.settings().sameUpstreamRetries()).isEqualTo(1);
        assertThat(config.settings().requestDeadline()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.settings().timeouts()).isEqualTo(new AttemptTimeouts(Duration.ofSeconds(10),
                Duration.ofSeconds(60), Duration.ofSeconds(120)));
        assertThat(config.cooldown()).isEqualTo(new CooldownPolicy(Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(300), Duration.ofSeconds(86_400)));
        assertThat(config.maxRequestBodyBytes()).isEqualTo(20L * 1024 * 1024).isEqualTo(20_971_520L);
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.oauth().codexTokenUrl()).isEqualTo(URI.create("https://auth.openai.com/oauth/token"));
        assertThat(config.oauth().kiroRefreshUrl())
                .isEqualTo(URI.create("https://prod.us-east-1.auth.desktop.kiro.dev/refreshToken"));
        assertThat(config.upstreams().upstreams()).isEmpty();
    }

    @Test
    void dataDirDefaultsToDataNextToTheConfigFileAndHoldsTheAccountsFile() {
        var config = files.load("{}\n");

        assertThat(config.dataDir()).isEqualTo(folder.resolve("data").toAbsolutePath());
        assertThat(config.accountsFile()).isEqualTo(folder.resolve("data/accounts.json").toAbsolutePath());
    }

    @Test
    void theAccountsFileFollowsAConfiguredDataDir() {
        var config = files.load("data_dir: var/tp\n");

        assertThat(config.dataDir()).isEqualTo(folder.resolve("var/tp").toAbsolutePath());
        assertThat(config.accountsFile()).isEqualTo(folder.resolve("var/tp/accounts.json").toAbsolutePath());
    }

    @Test
    void relativePathsAreRelativeToTheConfigFilesFolderNotTheWorkingDirectory() {
        Path file = files.write("nested/conf/token-proxy.yaml", "data_dir: ../data\naccounts_file: accounts.json\n");

        var config = new ConfigLoader(ENV).loadFile(file);

        assertThat(config.dataDir()).isEqualTo(folder.resolve("nested/data").toAbsolutePath());
        assertThat(config.accountsFile()).isEqualTo(folder.resolve("nested/conf/accounts.json").toAbsolutePath());
    }

    @Test
    void absolutePathsStayAsTheyAre() {
        Path elsewhere = folder.resolve("elsewhere").toAbsolutePath();
        var config = files.load("data_dir: " + elsewhere + "\naccounts_file: " + elsewhere.resolve("a.json") + "\n");

        assertThat(config.dataDir()).isEqualTo(elsewhere);
        assertThat(config.accountsFile()).isEqualTo(elsewhere.resolve("a.json"));
    }

    @Test
    void anUpstreamsOptionalFieldsTakeTheirDefaults() {
        var upstream = files.load("""
                upstreams:
                  - { id: only, provider: openai, base_url: "https://api.openai.com/v1" }
                """).upstreams().upstreams().get(0);

        assertThat(upstream.apiKeys()).isEmpty();
        assertThat(upstream.priority()).isZero();
        assertThat(upstream.enabled()).isTrue();
        assertThat(upstream.models()).isEmpty();
        assertThat(upstream.admits("any-model")).isTrue();
        assertThat(upstream.modelMappings().map("gpt-4o")).isEqualTo("gpt-4o");
        assertThat(upstream.echoRequestedModel()).isFalse();
    }

    @Test
    void aLocalKeyWithoutAScopeMayUseEveryUpstream() {
        var key = files.load("local_api_keys: [{ name: laptop, key: k }]\n").localApiKeys().get(0);

        assertThat(key.upstreams()).containsExactly("*");
    }

    @Test
    void anEmptyFileMeansAllDefaults() {
        var config = files.load("");

        assertThat(config.port()).isEqualTo(9208);
        assertThat(config.upstreams().upstreams()).isEmpty();
    }

    @Test
    void aJsonFileWorksToo() {
        Path file = files.write("token-proxy.json", """
                {
                  "listen": {"host": "127.0.0.1", "port": 9400},
                  "local_api_keys": [{"name": "laptop", "key": "${TP_KEY}"}],
                  "routing": {"strategy": "round_robin"},
                  "upstreams": [
                    {"id": "openai-main", "provider": "openai", "base_url": "https://api.openai.com/v1",
                     "api_keys": ["${OPENAI_KEY_1}"], "priority": 3,
                     "model_mappings": {"gpt-4o*": "gpt-4.1"}}
                  ]
                }
                """);

        var config = new ConfigLoader(ENV).loadFile(file);

        assertThat(config.port()).isEqualTo(9400);
        assertThat(config.localApiKeys().get(0).key().reveal()).isEqualTo("tp-laptop-secret");
        assertThat(config.settings().strategy()).isEqualTo(RoutingStrategy.ROUND_ROBIN);
        var upstream = config.upstreams().upstreams().get(0);
        assertThat(upstream.apiKeys()).extracting(Secret::reveal).containsExactly("sk-first-secret");
        assertThat(upstream.priority()).isEqualTo(3);
        assertThat(upstream.modelMappings().map("gpt-4o-mini")).isEqualTo("gpt-4.1");
    }

    @Test
    void portZeroMeansPickAFreePortAndIsAccepted() {
        assertThat(files.load("listen: { port: 0 }\n").port()).isZero();
    }

    @Test
    void theEmbeddedDefaultListensOnLoopbackWithTwoMockUpstreamsTheFirstFlaky() {
        var config = new ConfigLoader(Map.of()).loadEmbeddedDefault();

        assertThat(config.source()).startsWith("embedded default").contains("mock-flaky", "mock-steady", "--config");
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(9208);
        assertThat(config.upstreams().upstreams()).extracting(u -> u.id() + ":" + u.provider())
                .containsExactly("mock-flaky:mock", "mock-steady:mock");
        // What the start line promises: the first upstream fails every other attempt, the second never.
        assertThat(config.upstreams().upstreams().get(0).providerOptions()).isEqualTo(new MockScript(List.of(
                new MockScript.Step(new MockFault.Status(503, Optional.of(1)), new MockSchedule.Every(2)))));
        assertThat(config.upstreams().upstreams().get(1).providerOptions()).isEqualTo(MockScript.ANSWERS_ALWAYS);
        assertThat(config.localApiKeys()).isEmpty();
        assertThat(config.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(config.accountsFile()).isEqualTo(Path.of("data", "accounts.json").toAbsolutePath());
    }

    @Test
    void theConfigOptionWinsOverTokenProxyConfigWhichWinsOverTheEmbeddedDefault() throws Exception {
        Path option = Files.writeString(folder.resolve("option.yaml"), "accounts_file: ./option.json\n");
        Path fromEnv = Files.writeString(folder.resolve("env.yaml"), "accounts_file: ./env.json\n");
        var loader = new ConfigLoader(Map.of("TOKEN_PROXY_CONFIG", fromEnv.toString()));

        assertThat(loader.load(option.toString()).accountsFile()).isEqualTo(folder.resolve("option.json"));
        assertThat(loader.load(null).accountsFile()).isEqualTo(folder.resolve("env.json"));
        assertThat(new ConfigLoader(Map.of()).load(null).source()).isEqualTo(ConfigLoader.EMBEDDED_SOURCE);
        assertThat(new ConfigLoader(Map.of("TOKEN_PROXY_CONFIG", " ")).load(null).accountsFile())
                .isEqualTo(Path.of("data", "accounts.json").toAbsolutePath());
    }

    @Test
    void aMissingFileIsAConfigExceptionNamingTheFile() {
        Path missing = folder.resolve("nope.yaml");

        assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> new ConfigLoader(ENV).loadFile(missing))
                .withMessageContaining(missing.toString());
    }

    @Test
    void aFolderInsteadOfAFileIsAConfigException() throws Exception {
        Path dir = Files.createDirectories(folder.resolve("a-folder.yaml"));

        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> new ConfigLoader(ENV).loadFile(dir));
    }

    @Test
    void invalidYamlIsAConfigException() {
        assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> files.load("listen: { host: 127.0.0.1\n"))
                .withMessageStartingWith("config is not valid YAML/JSON");
    }

    /**
     * The parser's own message quotes the offending line, which may hold a key: the error gives only the position
     * and the problem, on one line (behaviour §8, the contract's "one-line reason").
     */
    @Test
    void invalidYamlIsAOneLineConfigExceptionThatDoesNotEchoTheFile() {
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> files.load("""
                        upstreams:
                          - id: a
                            provider: openai
                            base_url: https://api.openai.com/v1
                            api_keys: ["sk-unterminated-secret]
                        """))
                .withMessageContaining("YAML")
                .withMessageNotContaining("sk-unterminated-secret")
                .withMessageNotContaining("\n");
    }

    @Test
    void aTabIndentedFileIsAConfigException() {
        assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> files.load("listen:\n\thost: 127.0.0.1\n"));
    }
}
