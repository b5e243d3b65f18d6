package dev.tokenproxy.bootstrap.cli;

import java.util.List;
import dev.tokenproxy.bootstrap.config.LogLevel;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the gateway's own command line asks for ({@code java -jar token-proxy.jar [--config FILE]}, {@code --help},
 * {@code --version}); {@link ImportCodexLoginCommand} parses its own arguments.
 */
public sealed interface LaunchOptions {

    /**
     * Start the gateway. {@code configFile} is the {@code --config} argument, if there was one; {@code logLevel} the
     * {@code --log-level}, which wins over the configuration's {@code log_level}.
     */
    record Run(Optional<String> configFile, Optional<LogLevel> logLevel) implements LaunchOptions {
    }

    record ShowHelp() implements LaunchOptions {
    }

    record ShowVersion() implements LaunchOptions {
    }

    /** The arguments make no sense; {@code reason} is one line, safe to print. */
    record Invalid(String reason) implements LaunchOptions {
    }

    /** An option as users type them; anything else may be a value pasted in the wrong place, a key even. */
    Pattern SHOWABLE = Pattern.compile("-{1,2}[A-Za-z0-9][A-Za-z0-9_-]{0,30}");

    static LaunchOptions parse(List<String> args) {
        Optional<String> configFile = Optional.empty();
        Optional<LogLevel> logLevel = Optional.empty();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--help", "-h" -> {
                    return new ShowHelp();
                }
                case "--version", "-V" -> {
                    return new ShowVersion();
                }
                case "--config" -> {
                    if (i + 1 >= args.size()) {
                        return new Invalid("--config needs a file argument (see --help)");
                    }
                    configFile = Optional.of(args.get(++i));
                }
                case "--log-level" -> {
                    if (i + 1 >= args.size()) {
                        return new Invalid("--log-level needs one of " + LogLevel.choices() + " (see --help)");
                    }
                    String value = args.get(++i).toLowerCase(java.util.Locale.ROOT);
                    logLevel = LogLevel.fromWire(value);
                    if (logLevel.isEmpty()) {
                        return new Invalid("--log-level must be one of " + LogLevel.choices()
                                + (SHOWABLE.matcher("--" + value).matches() ? ", got '" + value + "'" : ""));
                    }
                }
                default -> {
                    return new Invalid(SHOWABLE.matcher(arg).matches()
                            ? "unknown option '" + arg + "' (see --help)"
                            : "unexpected argument of " + arg.length() + " characters, not shown (see --help)");
                }
            }
        }
        return new Run(configFile, logLevel);
    }

    /** What {@code --help} prints. */
    static String usage() {
        return """
                usage: java -jar token-proxy.jar [--config FILE] [--log-level LEVEL]
                       java -jar token-proxy.jar %s
                       java -jar token-proxy.jar %s
                       java -jar token-proxy.jar --help | --version

                Starts the gateway; stops on SIGTERM or Ctrl-C after in-flight requests finish.

                options:
                  --config FILE    the configuration, YAML or JSON (see docs/configuration.md)
                  --log-level L    error, warn, info (default: one line per request and failed attempt) or
                                   debug; wins over log_level in the configuration
                  -h, --help       print this help and exit
                  -V, --version    print the version and exit

                environment:
                  TOKEN_PROXY_CONFIG   the configuration file when there is no --config; without either,
                                       an embedded default (127.0.0.1:9208, two mock upstreams)

                commands:
                  %s   store a Codex CLI login in the account store (--help for details)
                  %s    store a Kiro IDE login in the account store (--help for details)

                exit codes:
                  0  stopped by SIGTERM/SIGINT, every in-flight request finished
                  1  could not start (e.g. the port is taken)
                  2  invalid configuration or command line
                  3  the listener stopped accepting connections while running
                  4  stopped, but requests still in flight when shutdown_grace_seconds ended were cut
                """.formatted(ImportCodexLoginCommand.USAGE, ImportKiroLoginCommand.USAGE,
                        ImportCodexLoginCommand.NAME, ImportKiroLoginCommand.NAME);
    }
}
