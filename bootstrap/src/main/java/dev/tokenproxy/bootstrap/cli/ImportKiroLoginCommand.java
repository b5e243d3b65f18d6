package dev.tokenproxy.bootstrap.cli;

import dev.tokenproxy.adapter.out.upstream.kiro.KiroLoginImport;
import dev.tokenproxy.adapter.out.upstream.kiro.KiroTokenRefresher;
import dev.tokenproxy.application.model.StoredAccount;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code java -jar token-proxy.jar import-kiro-login [--config FILE] [--from PATH] [--id ID] [--replace]}: copies the
 * Kiro IDE's login ({@code ~/.aws/sso/cache/kiro-auth-token.json}; for an IdC login also its client registration
 * next to it) into the account store the configuration names, as an active {@code kiro} account.
 *
 * <p>Prints {@code imported kiro account '<id>' (<social|IdC>, <profile>) into <file>} and a warning on stdout and
 * exits 0; or exits non-zero with a one-line reason on stderr: 2 for bad arguments or configuration, 1 when the
 * import failed.
 */
public final class ImportKiroLoginCommand {

    public static final String NAME = "import-kiro-login";
    public static final String USAGE = NAME + LoginImportCommand.OPTIONS;
    /** Kiro rotates refresh tokens like Codex does; the IDE rewrites its file when it refreshes, so it must stop. */
    static final String WARNING = "warning: Kiro may rotate the refresh token, so the Kiro IDE and the gateway should "
            + "not share this login: whichever refreshes second can be logged out. Sign the IDE in with another "
            + "account, or stop using it, after importing %s.";

    private final LoginImportCommand command;

    /** @param home the user's home directory, where {@code .aws/sso/cache} is */
    public ImportKiroLoginCommand(Map<String, String> env, Path home, PrintStream out, PrintStream err) {
        Objects.requireNonNull(home, "home");
        var kind = new LoginImportCommand.Kind(NAME, KiroTokenRefresher.PROVIDER,
                home.resolve(".aws").resolve("sso").resolve("cache").resolve("kiro-auth-token.json"),
                ImportKiroLoginCommand::read, WARNING);
        this.command = new LoginImportCommand(kind, env, out, err);
    }

    /** @param args the arguments after {@value #NAME} */
    public int run(List<String> args) {
        return command.run(args);
    }

    private static LoginImportCommand.ImportedLogin read(Path file) {
        KiroLoginImport login;
        try {
            login = KiroLoginImport.read(file);
        } catch (KiroLoginImport.UnusableLoginException e) {
            throw new LoginImportCommand.UnusableLogin(e.getMessage());
        }
        return new LoginImportCommand.ImportedLogin() {
            @Override
            public String description() {
                return login.kind() + ", " + login.profileArn().orElse("no profile ARN");
            }

            @Override
            public Optional<String> preferredId() {
                return Optional.empty();
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
}
