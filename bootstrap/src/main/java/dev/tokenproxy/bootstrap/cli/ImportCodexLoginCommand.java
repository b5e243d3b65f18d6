package dev.tokenproxy.bootstrap.cli;

import dev.tokenproxy.adapter.out.account.FileAccountStore;
import dev.tokenproxy.adapter.out.upstream.codex.CodexLoginImport;
import dev.tokenproxy.adapter.out.upstream.codex.CodexTokenRefresher;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.port.out.AccountStorePort.AccountStoreException;
import dev.tokenproxy.bootstrap.config.ConfigException;
import dev.tokenproxy.bootstrap.config.ConfigLoader;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.domain.account.AccountStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code java -jar token-proxy.jar import-codex-login [--config FILE] [--from PATH] [--id ID] [--replace]}: copies the
 * Codex CLI's ChatGPT login ({@code $CODEX_HOME/auth.json}, else {@code ~/.codex/auth.json}) into the account store
 * the configuration names, as an active {@code codex} account.
 *
 * <p>Prints {@code imported codex account '<id>' (<email>) into <file>} and a warning on stdout and exits 0; or exits
 * non-zero with a one-line reason on stderr: 2 for bad arguments or configuration, 1 when the import failed.
 */
public final class ImportCodexLoginCommand {

    public static final String NAME = "import-codex-login";
    public static final String USAGE = NAME + " [--config FILE] [--from PATH] [--id ID] [--replace]";
    /**
     * Why the CLI must let go of the login. Not "run codex logout": recent Codex CLIs revoke the refresh token when
     * they log out (codex-rs {@code logout_with_revoke}) and when a new login supersedes the old one, which would log
     * the gateway out as well. Deleting the file is the one way to let go that touches nothing on the server.
     */
    static final String WARNING = "warning: refresh tokens are single-use, so the Codex CLI and the gateway must not "
            + "share this login: whichever refreshes second is logged out. Stop the CLI using it by deleting %s "
            + "(not with 'codex logout', which revokes the tokens on the server in recent versions); run "
            + "'codex login' afterwards if the CLI needs a login of its own.";

    private static final int EXIT_OK = 0;
    private static final int EXIT_FAILED = 1;
    private static final int EXIT_BAD_USAGE = 2;
    /** Ids stay easy to write in YAML ({@code account: alice}), in URLs and in logs. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}");

    private final Map<String, String> env;
    private final Path home;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param env  the environment ({@code TOKEN_PROXY_CONFIG}, {@code CODEX_HOME}, {@code ${VAR}}s of the config)
     * @param home the user's home directory, where {@code .codex} is when {@code CODEX_HOME} is not set
     */
    public ImportCodexLoginCommand(Map<String, String> env, Path home, PrintStream out, PrintStream err) {
        this.env = Map.copyOf(env);
        this.home = Objects.requireNonNull(home, "home");
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
    }

    /** @param args the arguments after {@value #NAME} */
    public int run(List<String> args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            return fail(EXIT_BAD_USAGE, e.getMessage() + " (usage: " + USAGE + ")");
        }
        if (options.help()) {
            out.println("usage: java -jar token-proxy.jar " + USAGE);
            return EXIT_OK;
        }
        GatewayConfig config;
        try {
            config = new ConfigLoader(env).withoutAccountChecks().load(options.config());
        } catch (ConfigException | IllegalArgumentException e) {
            return fail(EXIT_BAD_USAGE, "invalid configuration: " + e.getMessage());
        }
        Path from = options.from().map(Path::of).orElseGet(this::defaultLoginFile);
        try {
            var login = CodexLoginImport.read(from);
            var store = FileAccountStore.open(config.accountsFile());
            String id = save(store, login, options);
            out.println("imported codex account '" + id + "' (" + login.email().orElse("no email") + ") into "
                    + store.file());
            out.println(WARNING.formatted(from.toAbsolutePath()));
            return EXIT_OK;
        } catch (CodexLoginImport.UnusableLoginException | AccountStoreException | Refused e) {
            return fail(EXIT_FAILED, e.getMessage());
        }
    }

    /** Adds the login, or replaces an account with it when asked to; returns the account's id. */
    private static String save(FileAccountStore store, CodexLoginImport login, Options options) {
        Optional<StoredAccount> existing = options.id().isPresent()
                ? store.find(options.id().get())
                : sameLogin(store, login);
        if (existing.isEmpty()) {
            String id = options.id().orElseGet(() -> freeId(store, login));
            store.add(login.account(id));
            return id;
        }
        StoredAccount old = existing.get();
        if (!options.replace()) {
            throw new Refused(options.id().isPresent()
                    ? "account '" + old.id() + "' exists already in " + store.file() + " (pass --replace to "
                            + "overwrite it with this login)"
                    : "this login is in " + store.file() + " already, as account '" + old.id() + "' (pass "
                            + "--replace to overwrite its tokens)");
        }
        if (!old.provider().equals(CodexTokenRefresher.PROVIDER)) {
            throw new Refused("account '" + old.id() + "' is a " + old.provider() + " account, not a codex one; "
                    + "choose another --id");
        }
        store.update(replaced(old, login.account(old.id())));
        return old.id();
    }

    /**
     * The old account with the new login's tokens and attributes; attributes only the old one had (a user's note)
     * stay. A disabled account stays disabled: re-importing a login is no decision to use it again.
     */
    private static StoredAccount replaced(StoredAccount old, StoredAccount fresh) {
        StoredAccount replaced = old.refreshed(fresh.accessToken(), fresh.refreshToken(), fresh.expiresAt(),
                fresh.attributes());
        return old.status() == AccountStatus.DISABLED ? replaced.withStatus(AccountStatus.DISABLED) : replaced;
    }

    private static Optional<StoredAccount> sameLogin(FileAccountStore store, CodexLoginImport login) {
        return store.accounts().stream().filter(login::isSameLoginAs).findFirst();
    }

    /** The email's local part when that makes a free, well-formed id; else the first free {@code codex-N}. */
    private static String freeId(FileAccountStore store, CodexLoginImport login) {
        Optional<String> localPart = login.email().map(email -> email.substring(0, Math.max(0, email.indexOf('@'))))
                .filter(name -> ID.matcher(name).matches() && store.find(name).isEmpty());
        if (localPart.isPresent()) {
            return localPart.get();
        }
        for (int n = 1; ; n++) {
            if (store.find("codex-" + n).isEmpty()) {
                return "codex-" + n;
            }
        }
    }

    /** {@code $CODEX_HOME/auth.json}, else {@code ~/.codex/auth.json}: where the Codex CLI keeps its login. */
    private Path defaultLoginFile() {
        String codexHome = env.get("CODEX_HOME");
        Path folder = codexHome == null || codexHome.isBlank() ? home.resolve(".codex") : Path.of(codexHome);
        return folder.resolve("auth.json");
    }

    private int fail(int exitCode, String reason) {
        err.println("token-proxy " + NAME + ": " + reason);
        return exitCode;
    }

    /** The import would overwrite something the user did not ask to overwrite. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private record Options(String config, Optional<String> from, Optional<String> id, boolean replace,
                           boolean help) {

        static Options parse(List<String> args) {
            String config = null;
            String from = null;
            String id = null;
            boolean replace = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "--config" -> config = value(args, ++i, arg);
                    case "--from" -> from = value(args, ++i, arg);
                    case "--id" -> id = value(args, ++i, arg);
                    case "--replace" -> replace = true;
                    case "--help", "-h" -> {
                        return new Options(null, Optional.empty(), Optional.empty(), false, true);
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            if (id != null && !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("--id must be 1 to 64 letters, digits or . _ @ + - and start "
                        + "with a letter or digit");
            }
            return new Options(config, Optional.ofNullable(from), Optional.ofNullable(id), replace, false);
        }

        private static String value(List<String> args, int index, String option) {
            if (index >= args.size() || args.get(index).isBlank()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args.get(index);
        }
    }
}
