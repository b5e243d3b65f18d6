package dev.tokenproxy.bootstrap.cli;

import dev.tokenproxy.adapter.out.account.FileAccountStore;
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
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What every {@code import-<provider>-login} command does, whoever wrote the login file:
 * {@code [--config FILE] [--from PATH] [--id ID] [--replace]} read, the login added to the account store the
 * configuration names (or, with {@code --replace}, an account of the same login given its tokens), one line saying
 * so and the provider's warning on stdout, exit 0; or a one-line reason on stderr and exit 2 for bad arguments or
 * configuration, 1 when the import failed. A {@link Kind} says what differs between providers.
 */
final class LoginImportCommand {

    static final String OPTIONS = " [--config FILE] [--from PATH] [--id ID] [--replace]";

    private static final int EXIT_OK = 0;
    private static final int EXIT_FAILED = 1;
    private static final int EXIT_BAD_USAGE = 2;
    /** Ids stay easy to write in YAML ({@code account: alice}), in URLs and in logs. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}");

    /** A login read from its file, as the command needs it. */
    interface ImportedLogin {

        /** What the operator is told about the login after the id, e.g. its email; never a token. */
        String description();

        /** An id that names the login well (an email's local part), if it has one. */
        Optional<String> preferredId();

        boolean isSameLoginAs(StoredAccount account);

        StoredAccount account(String id);
    }

    /** The file cannot become an account; the message names the file and what is wrong, never a token. */
    static final class UnusableLogin extends RuntimeException {
        UnusableLogin(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * One provider's import.
     *
     * @param name        the command, e.g. {@code import-codex-login}
     * @param provider    the provider of the accounts it creates; ids default to {@code <provider>-N}
     * @param defaultFile where the provider's own client keeps its login
     * @param reader      reads a login file; throws {@link UnusableLogin}
     * @param warning     printed after an import, with the login file's path for {@code %s}
     */
    record Kind(String name, String provider, Path defaultFile, Function<Path, ImportedLogin> reader,
                String warning) {
        Kind {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(defaultFile, "defaultFile");
            Objects.requireNonNull(reader, "reader");
            Objects.requireNonNull(warning, "warning");
        }
    }

    private final Kind kind;
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    LoginImportCommand(Kind kind, Map<String, String> env, PrintStream out, PrintStream err) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.env = Map.copyOf(env);
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
    }

    /** @param args the arguments after the command's name */
    int run(List<String> args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            return fail(EXIT_BAD_USAGE, e.getMessage() + " (usage: " + kind.name() + OPTIONS + ")");
        }
        if (options.help()) {
            out.println("usage: java -jar token-proxy.jar " + kind.name() + OPTIONS);
            return EXIT_OK;
        }
        GatewayConfig config;
        try {
            config = new ConfigLoader(env).withoutAccountChecks().load(options.config());
        } catch (ConfigException | IllegalArgumentException e) {
            return fail(EXIT_BAD_USAGE, "invalid configuration: " + e.getMessage());
        }
        Path from = options.from().map(Path::of).orElse(kind.defaultFile());
        try {
            var login = kind.reader().apply(from);
            var store = FileAccountStore.open(config.accountsFile());
            String id = save(store, login, options);
            out.println("imported " + kind.provider() + " account '" + id + "' (" + login.description() + ") into "
                    + store.file());
            out.println(kind.warning().formatted(from.toAbsolutePath()));
            return EXIT_OK;
        } catch (UnusableLogin | AccountStoreException | Refused e) {
            return fail(EXIT_FAILED, e.getMessage());
        }
    }

    /** Adds the login, or replaces an account with it when asked to; returns the account's id. */
    private String save(FileAccountStore store, ImportedLogin login, Options options) {
        Optional<StoredAccount> existing = options.id().isPresent()
                ? store.find(options.id().get())
                : store.accounts().stream().filter(login::isSameLoginAs).findFirst();
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
        if (!old.provider().equals(kind.provider())) {
            throw new Refused("account '" + old.id() + "' is a " + old.provider() + " account, not a "
                    + kind.provider() + " one; choose another --id");
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

    /** The login's preferred id when that is free and well-formed; else the first free {@code <provider>-N}. */
    private String freeId(FileAccountStore store, ImportedLogin login) {
        Optional<String> preferred = login.preferredId()
                .filter(name -> ID.matcher(name).matches() && store.find(name).isEmpty());
        if (preferred.isPresent()) {
            return preferred.get();
        }
        for (int n = 1; ; n++) {
            if (store.find(kind.provider() + "-" + n).isEmpty()) {
                return kind.provider() + "-" + n;
            }
        }
    }

    private int fail(int exitCode, String reason) {
        err.println("token-proxy " + kind.name() + ": " + reason);
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
