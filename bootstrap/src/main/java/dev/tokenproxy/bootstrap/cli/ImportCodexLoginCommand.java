package dev.tokenproxy.bootstrap.cli;

import dev.tokenproxy.adapter.out.upstream.codex.CodexLoginImport;
import dev.tokenproxy.adapter.out.upstream.codex.CodexTokenRefresher;
import dev.tokenproxy.application.model.StoredAccount;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
    public static final String USAGE = NAME + LoginImportCommand.OPTIONS;
    /**
     * Why the CLI must let go of the login. Not "run codex logout": recent Codex CLIs revoke the refresh token when
     * they log out (codex-rs {@code logout_with_revoke}) and when a new login supersedes the old one, which would log
     * the gateway out as well. Deleting the file is the one way to let go that touches nothing on the server.
     */
    static final String WARNING = "warning: refresh tokens are single-use, so the Codex CLI and the gateway must not "
            + "share this login: whichever refreshes second is logged out. Stop the CLI using it by deleting %s "
            + "(not with 'codex logout', which revokes the tokens on the server in recent versions); run "
            + "'codex login' afterwards if the CLI needs a login of its own.";

    private final LoginImportCommand command;

    /**
     * @param env  the environment ({@code TOKEN_PROXY_CONFIG}, {@code CODEX_HOME}, {@code ${VAR}}s of the config)
     * @param home the user's home directory, where {@code .codex} is when {@code CODEX_HOME} is not set
     */
    public ImportCodexLoginCommand(Map<String, String> env, Path home, PrintStream out, PrintStream err) {
        Objects.requireNonNull(home, "home");
        var kind = new LoginImportCommand.Kind(NAME, CodexTokenRefresher.PROVIDER, defaultLoginFile(env, home),
                ImportCodexLoginCommand::read, WARNING);
        this.command = new LoginImportCommand(kind, env, out, err);
    }

    /** @param args the arguments after {@value #NAME} */
    public int run(List<String> args) {
        return command.run(args);
    }

    private static LoginImportCommand.ImportedLogin read(Path file) {
        CodexLoginImport login;
        try {
            login = CodexLoginImport.read(file);
        } catch (CodexLoginImport.UnusableLoginException e) {
            throw new LoginImportCommand.UnusableLogin(e.getMessage());
        }
        return new LoginImportCommand.ImportedLogin() {
            @Override
            public String description() {
                return login.email().orElse("no email");
            }

            @Override
            public Optional<String> preferredId() {
                return login.email().map(email -> email.substring(0, Math.max(0, email.indexOf('@'))));
            }

            @Override
            public boolean isSameLoginAs(StoredAccount account) {
                return login.isSameLoginAs(account);
            }

            @Override
            public StoredAccount account(String id) {
                return login.account(id);
            }
        };
    }

    /** {@code $CODEX_HOME/auth.json}, else {@code ~/.codex/auth.json}: where the Codex CLI keeps its login. */
    private static Path defaultLoginFile(Map<String, String> env, Path home) {
        String codexHome = env.get("CODEX_HOME");
        Path folder = codexHome == null || codexHome.isBlank() ? home.resolve(".codex") : Path.of(codexHome);
        return folder.resolve("auth.json");
    }
}
