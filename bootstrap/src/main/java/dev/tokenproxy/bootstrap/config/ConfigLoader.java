package dev.tokenproxy.bootstrap.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tokenproxy.adapter.in.http.LocalApiKey;
import dev.tokenproxy.adapter.out.account.FileAccountStore;
import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.ProviderOptions;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.out.AccountStorePort;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.spi.InvalidOptionsException;
import dev.tokenproxy.application.spi.ProviderConfigSection;
import dev.tokenproxy.bootstrap.provider.ProviderLoadingException;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import dev.tokenproxy.domain.failover.RoutingStrategy;
import dev.tokenproxy.domain.routing.ModelMappings;
import java.io.IOException;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the YAML (or JSON) configuration of the configuration contract, substitutes {@code ${ENV}} references
 * and validates every field, naming the field path in each error. What is valid but cannot work (an upstream
 * without credentials) comes back as {@link GatewayConfig#warnings()}.
 */
public final class ConfigLoader {

    private static final String EMBEDDED = "/token-proxy-default.yaml";
    /**
     * How the start line names the embedded default (Main logs "starting with configuration: " and this): a newcomer
     * learns there what answers and how to get real upstreams. It describes token-proxy-default.yaml; a test keeps
     * the two in step.
     */
    public static final String EMBEDDED_SOURCE = "embedded default (two mock upstreams: mock-flaky fails every other "
            + "request, mock-steady answers; pass --config FILE for real upstreams)";

    private static final Set<String> UPSTREAM_FIELDS = Set.of("id", "provider", "base_url", "api_keys", "priority",
            "enabled", "models", "model_mappings", "echo_requested_model", "allow_conversion", "accounts", "account");
    private static final int DAY_SECONDS = 86_400;

    private final Map<String, String> env;
    private final HostLimits host;
    private final ProviderRegistry providers;
    private final boolean checkAccounts;

    public ConfigLoader(Map<String, String> env) {
        this(env, HostLimits.current());
    }

    public ConfigLoader(Map<String, String> env, HostLimits host) {
        this(env, host, ProviderRegistry.ofThisBuild());
    }

    /**
     * @param providers the providers an upstream may name besides those of the {@code plugins_dir} the file names;
     *                  the registry the configuration is validated against is {@link GatewayConfig#providers()}, the
     *                  one the wiring builds ports from
     */
    public ConfigLoader(Map<String, String> env, HostLimits host, ProviderRegistry providers) {
        this.env = Map.copyOf(env);
        this.host = host;
        this.providers = providers;
        this.checkAccounts = true;
    }

    private ConfigLoader(ConfigLoader loader, boolean checkAccounts) {
        this.env = loader.env;
        this.host = loader.host;
        this.providers = loader.providers;
        this.checkAccounts = checkAccounts;
    }

    /**
     * A loader that does not require the account store to exist or to hold the accounts upstreams name: for the
     * command that fills the store, which must be able to read the configuration before the first account is in.
     */
    public ConfigLoader withoutAccountChecks() {
        return new ConfigLoader(this, false);
    }

    /**
     * The configuration the gateway runs with: {@code configOption} (the {@code --config} argument) when given, else
     * the file named by {@code TOKEN_PROXY_CONFIG}, else the embedded default. The gateway and its commands all
     * resolve it here, so they agree on where things are (the account store, say).
     *
     * @param configOption the {@code --config} argument, or null when there was none
     */
    public GatewayConfig load(String configOption) {
        String file = configOption != null ? configOption : env.get("TOKEN_PROXY_CONFIG");
        return file == null || file.isBlank() ? loadEmbeddedDefault() : loadFile(Path.of(file));
    }

    public GatewayConfig loadFile(Path file) {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = parse(in);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Path folder = file.toAbsolutePath().getParent();
        return read(root, file.toString(), folder);
    }

    public GatewayConfig loadEmbeddedDefault() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(EMBEDDED)) {
            if (in == null) {
                throw new IllegalStateException("embedded default configuration is missing from the jar");
            }
            return read(parse(in), EMBEDDED_SOURCE, Path.of("").toAbsolutePath());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the embedded default configuration", e);
        }
    }

    static JsonNode parse(InputStream in) throws IOException {
        try {
            // A key written twice would silently keep the last value: refuse it like an unknown field.
            try (JsonParser parser = new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .createParser(in)) {
                return parser.nextToken() == null ? JsonNodeFactory.instance.objectNode() : tree(parser);
            }
        } catch (JacksonException e) {
            // Position and problem only: the parser's own message quotes the offending line, which may hold a key.
            var where = e.getLocation();
            String problem = e.getCause() instanceof MarkedYAMLException yaml ? yaml.getProblem() : e.getOriginalMessage();
            throw new ConfigException("config is not valid YAML/JSON"
                    + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr())
                    + ": " + firstLine(problem), e);
        }
    }

    /**
     * The value at the parser's current token as a tree, built from the parser's tokens as Jackson's own
     * {@code readTree} does: an {@code ObjectMapper} would do the same but cost a plain start ~0.1 s of its main thread
     * (some 300 classes, its serializer and date-format set-up) for a tree of a few dozen nodes (benchmark.md,
     * thirteenth pass).
     */
    private static JsonNode tree(JsonParser parser) throws IOException {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        return switch (parser.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = nodes.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    object.set(name, tree(parser));
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = nodes.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(tree(parser));
                }
                yield array;
            }
            case VALUE_STRING -> nodes.textNode(parser.getText());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> nodes.numberNode(parser.getIntValue());
                case LONG -> nodes.numberNode(parser.getLongValue());
                default -> nodes.numberNode(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> nodes.numberNode(parser.getDoubleValue());
            case VALUE_TRUE -> nodes.booleanNode(true);
            case VALUE_FALSE -> nodes.booleanNode(false);
            case VALUE_EMBEDDED_OBJECT -> nodes.pojoNode(parser.getEmbeddedObject());
            default -> nodes.nullNode();
        };
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "unreadable";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    GatewayConfig read(JsonNode tree, String source, Path folder) {
        EnvironmentReferences.requireUsable(tree, env);
        var root = new ConfigNode(tree, "", env).requireObject(Set.of("listen", "data_dir", "local_api_keys",
                "routing", "timeouts", "cooldown", "max_request_body_bytes", "accounts_file", "oauth", "upstreams",
                "shutdown_grace_seconds", "limits", "client_retry_wait_max_seconds", "log_level", "log_format",
                "records", "metrics", "plugins_dir"));
        // First: which provider names are valid depends on the plug-ins.
        var registry = registry(root.field("plugins_dir"), folder);
        var listen = root.field("listen").requireObject(Set.of("host", "port"));
        String host = listen.field("host").isPresent() ? listen.field("host").requiredString() : "127.0.0.1";
        int port = (int) listen.field("port").integer(9208, 0, 65_535);
        Path dataDir = folder.resolve(root.field("data_dir").string("./data")).normalize();
        var localKeys = localApiKeys(root.field("local_api_keys"));
        if (localKeys.isEmpty() && !isLoopback(host)) {
            throw ConfigException.at("local_api_keys", "is required when listening on a non-loopback host ("
                    + host + "); without keys anyone who can reach the port could spend your upstream credits");
        }
        var settings = settings(root.field("routing"), root.field("timeouts"));
        var cooldown = cooldown(root.field("cooldown"));
        long maxBody = root.field("max_request_body_bytes").integer(20L * 1024 * 1024, 1, Integer.MAX_VALUE - 8);
        Path accountsFile = root.field("accounts_file").isPresent()
                ? folder.resolve(root.field("accounts_file").requiredString()).normalize()
                : dataDir.resolve("accounts.json");
        var oauth = oauth(root.field("oauth"));
        var upstreams = upstreams(root.field("upstreams"), registry);
        Optional<AccountStorePort> store = checkAccounts
                ? requireKnownAccounts(root.field("upstreams"), upstreams, accountsFile)
                : Optional.empty();
        requireKnownScopes(root.field("local_api_keys"), localKeys, upstreams);
        var grace = Duration.ofSeconds(root.field("shutdown_grace_seconds").integer(10, 0, 3_600));
        var clientRetryWaitMax = seconds(root.field("client_retry_wait_max_seconds"), Duration.ofSeconds(20));
        var logLevel = root.field("log_level").choice(LogLevel.INFO, LogLevel::fromWire, LogLevel.choices());
        boolean jsonLogs = root.field("log_format").choice(false, format -> switch (format) {
            case "text" -> Optional.of(false);
            case "json" -> Optional.of(true);
            default -> Optional.empty();
        }, "text, json");
        var limits = limits(root.field("limits"), maxBody);
        var records = records(root.field("records"));
        var metrics = metrics(root.field("metrics"));
        return new GatewayConfig(source, host, port, dataDir, localKeys, settings, cooldown, maxBody, accountsFile,
                oauth, upstreams, grace, limits, clientRetryWaitMax, logLevel, jsonLogs, records, metrics, registry,
                UnusableUpstreams.warnings(upstreams, registry, store));
    }

    /** The providers of the class path and of {@code plugins_dir} (relative to the file's folder), if given. */
    private ProviderRegistry registry(ConfigNode pluginsDir, Path folder) {
        Optional<Path> plugins = pluginsDir.isPresent()
                ? Optional.of(folder.resolve(pluginsDir.requiredString()).normalize())
                : Optional.empty();
        try {
            return providers.withPluginsFrom(plugins);
        } catch (ProviderLoadingException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static GatewayConfig.Records records(ConfigNode node) {
        if (!node.isPresent()) {
            return GatewayConfig.Records.DEFAULTS;
        }
        node.requireObject(Set.of("enabled", "retention_days", "queue_size"));
        var d = GatewayConfig.Records.DEFAULTS;
        return new GatewayConfig.Records(node.field("enabled").bool(d.enabled()),
                Duration.ofDays(node.field("retention_days").integer(d.retention().toDays(), 1, 36_500)),
                (int) node.field("queue_size").integer(d.queueSize(), 1, 1_000_000));
    }

    private static GatewayConfig.Metrics metrics(ConfigNode node) {
        if (!node.isPresent()) {
            return GatewayConfig.Metrics.DEFAULTS;
        }
        node.requireObject(Set.of("enabled"));
        return new GatewayConfig.Metrics(node.field("enabled").bool(GatewayConfig.Metrics.DEFAULTS.enabled()));
    }

    private static List<LocalApiKey> localApiKeys(ConfigNode list) {
        var keys = new ArrayList<LocalApiKey>();
        var names = new HashSet<String>();
        for (var item : list.list()) {
            item.requireObject(Set.of("name", "key", "upstreams"));
            String name = item.field("name").requiredString();
            if (!names.add(name)) {
                throw ConfigException.at(item.field("name").path(), "duplicate local key name '" + name + "'");
            }
            String key = item.field("key").requiredString();
            Set<String> scope = item.field("upstreams").isPresent() ? item.field("upstreams").stringSet() : Set.of("*");
            keys.add(new LocalApiKey(name, new Secret(key), scope));
        }
        return keys;
    }

    /** A scope naming an upstream that does not exist is a typo that would lock the key out silently. */
    private static void requireKnownScopes(ConfigNode list, List<LocalApiKey> keys, UpstreamCatalog upstreams) {
        var ids = new HashSet<String>();
        upstreams.upstreams().forEach(u -> ids.add(u.id()));
        for (int i = 0; i < keys.size(); i++) {
            for (String scope : keys.get(i).upstreams()) {
                if (!"*".equals(scope) && !ids.contains(scope)) {
                    throw ConfigException.at(list.path() + "[" + i + "].upstreams",
                            "names unknown upstream '" + scope + "'");
                }
            }
        }
    }

    private static GatewaySettings settings(ConfigNode routing, ConfigNode timeouts) {
        routing.requireObject(Set.of("strategy", "account_strategy", "same_upstream_retries",
                "request_deadline_seconds"));
        timeouts.requireObject(Set.of("connect_seconds", "first_output_seconds", "idle_seconds"));
        var d = GatewaySettings.DEFAULTS;
        var t = AttemptTimeouts.DEFAULTS;
        return new GatewaySettings(
                strategy(routing.field("strategy")),
                strategy(routing.field("account_strategy")),
                (int) routing.field("same_upstream_retries").integer(d.sameUpstreamRetries(), 0, 10),
                positiveSeconds(routing.field("request_deadline_seconds"), d.requestDeadline()),
                new AttemptTimeouts(positiveSeconds(timeouts.field("connect_seconds"), t.connect()),
                        positiveSeconds(timeouts.field("first_output_seconds"), t.firstOutput()),
                        positiveSeconds(timeouts.field("idle_seconds"), t.idle())));
    }

    private static RoutingStrategy strategy(ConfigNode node) {
        return node.choice(RoutingStrategy.FILL_FIRST, s -> switch (s) {
            case "fill_first" -> Optional.of(RoutingStrategy.FILL_FIRST);
            case "round_robin" -> Optional.of(RoutingStrategy.ROUND_ROBIN);
            default -> Optional.empty();
        }, "fill_first, round_robin");
    }

    private static CooldownPolicy cooldown(ConfigNode node) {
        node.requireObject(Set.of("base_seconds", "max_seconds", "credential_seconds", "hint_max_seconds"));
        var d = CooldownPolicy.DEFAULTS;
        Duration base = seconds(node.field("base_seconds"), d.base());
        Duration max = seconds(node.field("max_seconds"), d.max());
        if (max.compareTo(base) < 0) {
            throw ConfigException.at(node.field("max_seconds").path(), "must be at least cooldown.base_seconds");
        }
        return new CooldownPolicy(base, max, seconds(node.field("credential_seconds"), d.credential()),
                seconds(node.field("hint_max_seconds"), d.hintMax()));
    }

    /** A zero timeout would fail every request: at least one second. */
    private static Duration positiveSeconds(ConfigNode node, Duration fallback) {
        return Duration.ofSeconds(node.integer(fallback.toSeconds(), 1, 30L * DAY_SECONDS));
    }

    private static Duration seconds(ConfigNode node, Duration fallback) {
        return Duration.ofSeconds(node.integer(fallback.toSeconds(), 0, 30L * DAY_SECONDS));
    }

    private GatewayConfig.Limits limits(ConfigNode node, long maxRequestBody) {
        node.requireObject(Set.of("max_connections", "header_timeout_seconds", "body_timeout_seconds",
                "idle_connection_seconds", "max_upstream_body_bytes", "max_in_flight_bytes"));
        var connections = node.field("max_connections");
        int maxConnections = (int) connections.integer(host.defaultMaxConnections(), 1, 1_000_000);
        if (maxConnections > host.connectionsTheFileLimitAllows()) {
            throw ConfigException.at(connections.path(), maxConnections + " connections need about "
                    + host.openFilesNeededFor(maxConnections) + " open files, but this process may open only "
                    + host.openFiles() + " (ulimit -n): lower it or raise the limit");
        }
        var inFlight = node.field("max_in_flight_bytes");
        long maxInFlight = inFlight.integer(Math.max(host.defaultInFlightBytes(), maxRequestBody),
                1024 * 1024, Long.MAX_VALUE);
        if (maxInFlight < maxRequestBody) {
            throw ConfigException.at(inFlight.path(), "must be at least max_request_body_bytes (" + maxRequestBody
                    + "), or no request of the largest allowed size could ever be admitted");
        }
        return new GatewayConfig.Limits(maxConnections,
                positiveSeconds(node.field("header_timeout_seconds"), Duration.ofSeconds(20)),
                positiveSeconds(node.field("body_timeout_seconds"), Duration.ofSeconds(60)),
                positiveSeconds(node.field("idle_connection_seconds"), Duration.ofSeconds(60)),
                node.field("max_upstream_body_bytes").integer(16L * 1024 * 1024, 1024, Integer.MAX_VALUE - 8),
                maxInFlight);
    }

    private static GatewayConfig.OAuthEndpoints oauth(ConfigNode node) {
        node.requireObject(Set.of("codex_token_url", "kiro_refresh_url"));
        return new GatewayConfig.OAuthEndpoints(
                url(node.field("codex_token_url"), "https://auth.openai.com/oauth/token"),
                url(node.field("kiro_refresh_url"), "https://prod.us-east-1.auth.desktop.kiro.dev/refreshToken"));
    }

    private UpstreamCatalog upstreams(ConfigNode list, ProviderRegistry registry) {
        var fields = upstreamFields(registry);
        var upstreams = new ArrayList<Upstream>();
        var ids = new HashSet<String>();
        for (var item : list.list()) {
            item.requireObject(fields);
            String id = item.field("id").requiredString();
            if (!ids.add(id)) {
                throw ConfigException.at(item.field("id").path(), "duplicate upstream id '" + id + "'");
            }
            if (id.contains("/")) {
                throw ConfigException.at(item.field("id").path(), "must not contain '/' (it routes 'id/model')");
            }
            var declared = provider(item.field("provider"), registry);
            var descriptor = declared.descriptor();
            String provider = descriptor.name();
            var section = declared.plugin().configSection();
            requireNoOptionsOfOtherProviders(item, provider, registry);
            URI baseUrl = section.defaultBaseUrl().isPresent() && !item.field("base_url").isPresent()
                    ? section.defaultBaseUrl().get() : url(item.field("base_url"), null);
            var credentials = credentialSource(item, descriptor);
            ModelMappings mappings;
            try {
                mappings = new ModelMappings(item.field("model_mappings").stringMap());
            } catch (IllegalArgumentException e) {
                throw ConfigException.at(item.field("model_mappings").path(), e.getMessage());
            }
            upstreams.add(new Upstream(id, provider, baseUrl, credentials,
                    (int) item.field("priority").integer(0, Integer.MIN_VALUE, Integer.MAX_VALUE),
                    item.field("enabled").bool(true), item.field("models").stringSet(), mappings,
                    item.field("echo_requested_model").bool(false), item.field("allow_conversion").bool(true),
                    options(section, item, provider)));
        }
        return new UpstreamCatalog(upstreams);
    }

    /**
     * The fields an upstream may have: the common ones and each provider's options field. A provider whose options
     * field is a common one, or another provider's, could never be told apart: refused, naming it.
     */
    private static Set<String> upstreamFields(ProviderRegistry registry) {
        var fields = new HashSet<>(UPSTREAM_FIELDS);
        for (var provider : registry.providers()) {
            var field = provider.plugin().configSection().field();
            if (field.isPresent() && !fields.add(field.get())) {
                throw new ConfigException("provider '" + provider.descriptor().name() + "' (" + provider.describe()
                        + ") declares the upstream field '" + field.get() + "' for its options, which another field "
                        + "already is: it cannot be used until its author renames it");
            }
        }
        return fields;
    }

    /** A {@code mock:} block on an openai upstream would be silently unused: refuse it like an unknown field. */
    private static void requireNoOptionsOfOtherProviders(ConfigNode item, String provider, ProviderRegistry registry) {
        for (var owner : registry.providers()) {
            String name = owner.descriptor().name();
            owner.plugin().configSection().field().ifPresent(field -> {
                if (!name.equals(provider) && item.field(field).isPresent()) {
                    throw ConfigException.at(item.field(field).path(), "applies only to upstreams of provider '"
                            + name + "', not '" + provider + "'");
                }
            });
        }
    }

    /**
     * The upstream's options, read by its provider's section. Whatever else the section throws is the provider's bug,
     * reported as such so the operator knows whom to ask.
     */
    private static ProviderOptions options(ProviderConfigSection section, ConfigNode item, String provider) {
        if (section.field().isEmpty()) {
            return ProviderOptions.NONE;
        }
        var node = item.field(section.field().get());
        try {
            return Objects.requireNonNull(section.read(node), "read(...) returned null");
        } catch (ConfigException e) {
            throw e;
        } catch (InvalidOptionsException e) {
            throw ConfigException.at(e.path(), e.problem());
        } catch (RuntimeException | LinkageError e) {
            throw ConfigException.at(node.path(), "provider '" + provider + "' failed to read its options: "
                    + ProviderLoadingException.describe(e));
        }
    }

    /**
     * The provider says what its upstreams authenticate with; only those fields are accepted, so that an API key
     * given to a Codex upstream (or an account to an OpenAI one) is an error rather than silently unused.
     */
    private static CredentialSource credentialSource(ConfigNode item, ProviderDescriptor descriptor) {
        var apiKeys = item.field("api_keys");
        var pool = item.field("accounts");
        var pinned = item.field("account");
        String provider = descriptor.name();
        return switch (descriptor.credentials()) {
            case NONE -> {
                for (var credentialField : List.of(apiKeys, pool, pinned)) {
                    if (credentialField.isPresent()) {
                        throw ConfigException.at(credentialField.path(), "provider '" + provider
                                + "' needs no credential: remove this field");
                    }
                }
                yield new CredentialSource.None();
            }
            case API_KEYS -> {
                for (var accountField : List.of(pool, pinned)) {
                    if (accountField.isPresent()) {
                        throw ConfigException.at(accountField.path(), "provider '" + provider
                                + "' authenticates with api_keys, not with stored accounts");
                    }
                }
                yield new CredentialSource.ApiKeys(apiKeys.stringList().stream().map(Secret::new).toList());
            }
            case ACCOUNTS -> {
                if (apiKeys.isPresent()) {
                    throw ConfigException.at(apiKeys.path(), "provider '" + provider + "' authenticates with stored "
                            + "accounts: use 'accounts: all', 'accounts: [ids]' or 'account: id'");
                }
                if (pool.isPresent() && pinned.isPresent()) {
                    throw ConfigException.at(pinned.path(), "cannot be combined with 'accounts': an upstream is "
                            + "either pinned to one account or draws from a pool");
                }
                if (pinned.isPresent()) {
                    yield new CredentialSource.PinnedAccount(pinned.requiredString());
                }
                if (!pool.isPresent() || pool.isString() && "all".equals(pool.requiredString())) {
                    yield new CredentialSource.AccountPool(List.of());
                }
                if (pool.isString()) {
                    throw ConfigException.at(pool.path(), "must be 'all' or a list of account ids");
                }
                var ids = List.copyOf(new java.util.LinkedHashSet<>(pool.stringList()));
                if (ids.size() != pool.stringList().size()) {
                    pool.stringSet(); // names the duplicate
                }
                if (ids.isEmpty()) {
                    throw ConfigException.at(pool.path(), "lists no account; write 'all' for every account");
                }
                yield new CredentialSource.AccountPool(ids);
            }
        };
    }

    /**
     * Upstreams that draw accounts need the account store, and every account they name must be in it, of their
     * provider: otherwise the upstream could never serve, and the operator would learn it only from failed requests.
     *
     * @return the store, when an upstream draws accounts, for the warnings about accounts none of which is usable
     */
    private static Optional<AccountStorePort> requireKnownAccounts(ConfigNode list, UpstreamCatalog upstreams,
                                                                   Path accountsFile) {
        var items = list.list();
        AccountStorePort store = null;
        for (int i = 0; i < upstreams.upstreams().size(); i++) {
            var upstream = upstreams.upstreams().get(i);
            var source = upstream.credentialSource();
            if (source instanceof CredentialSource.ApiKeys || source instanceof CredentialSource.None) {
                continue;
            }
            if (store == null) {
                store = openAccountStore(accountsFile, items.get(i).path());
            }
            List<String> named = switch (source) {
                case CredentialSource.PinnedAccount pinned -> List.of(pinned.id());
                case CredentialSource.AccountPool pool -> pool.ids();
                case CredentialSource.ApiKeys keys -> List.of();
                case CredentialSource.None none -> List.of();
            };
            String field = source instanceof CredentialSource.PinnedAccount ? "account" : "accounts";
            for (String id : named) {
                var account = store.find(id);
                if (account.isEmpty()) {
                    throw ConfigException.at(items.get(i).field(field).path(), "names account '" + id
                            + "', which is not in the account store " + accountsFile);
                }
                if (!account.get().provider().equals(upstream.provider())) {
                    throw ConfigException.at(items.get(i).field(field).path(), "names account '" + id
                            + "' of provider '" + account.get().provider() + "', but the upstream is '"
                            + upstream.provider() + "'");
                }
            }
        }
        return Optional.ofNullable(store);
    }

    private static AccountStorePort openAccountStore(Path accountsFile, String upstreamPath) {
        if (!Files.exists(accountsFile)) {
            throw ConfigException.at(upstreamPath, "draws stored accounts, but the account store " + accountsFile
                    + " does not exist: import a login first (java -jar token-proxy.jar import-codex-login or import-kiro-login), or set "
                    + "accounts_file");
        }
        try {
            return FileAccountStore.open(accountsFile);
        } catch (AccountStorePort.AccountStoreException e) {
            throw ConfigException.at("accounts_file", e.getMessage());
        }
    }

    private static ProviderRegistry.Provider provider(ConfigNode node, ProviderRegistry registry) {
        String name = node.requiredString().toLowerCase(Locale.ROOT);
        return switch (registry.lookup(name)) {
            case ProviderRegistry.Lookup.Available available -> available.provider();
            case ProviderRegistry.Lookup.NotYetAvailable later -> throw ConfigException.at(node.path(), "provider '"
                    + later.name() + "' is not available in this version yet (available: "
                    + String.join(", ", later.available()) + ")");
            case ProviderRegistry.Lookup.Unknown unknown -> throw ConfigException.at(node.path(), "unknown provider "
                    + node.quoted(unknown.name()) + " (known: " + String.join(", ", unknown.known()) + ")");
        };
    }

    private static URI url(ConfigNode node, String fallback) {
        String text = fallback == null ? node.requiredString() : node.string(fallback);
        try {
            URI uri = new URI(text);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                // Text without "://" is no URL at all: perhaps a key put in the wrong field, so shown as any value.
                throw ConfigException.at(node.path(), "must be an absolute http(s) URL, got " + (text.contains("://")
                        ? "'" + withoutCredentials(text) + "'" : node.quoted(text)));
            }
            return uri;
        } catch (URISyntaxException e) {
            throw ConfigException.at(node.path(), "is not a valid URL: " + e.getReason());
        }
    }

    /**
     * The URL as an error message may show it: without user info ({@code user:key@}) and without query and fragment
     * ({@code ?key=...}), the places where URLs carry credentials. Works on text that is not a valid URI too, since
     * that is when it is shown: everything before the last {@code @} goes, even a {@code /} inside a password.
     */
    private static String withoutCredentials(String url) {
        String text = url;
        String tail = "";
        int query = text.indexOf('?');
        int fragment = text.indexOf('#');
        int cut = query < 0 ? fragment : fragment < 0 ? query : Math.min(query, fragment);
        if (cut >= 0) {
            tail = text.charAt(cut) + "<redacted>";
            text = text.substring(0, cut);
        }
        int scheme = text.indexOf("://");
        int authority = scheme < 0 ? 0 : scheme + 3;
        int at = text.lastIndexOf('@');
        if (at >= authority) {
            text = text.substring(0, authority) + "<redacted>" + text.substring(at);
        }
        return text + tail;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw ConfigException.at("listen.host", "unknown host '" + host + "'");
        }
    }
}
