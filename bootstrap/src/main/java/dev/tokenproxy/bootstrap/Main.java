package dev.tokenproxy.bootstrap;

import dev.tokenproxy.adapter.in.http.connection.ListenerLossWatch;
import dev.tokenproxy.bootstrap.cli.BuildVersion;
import dev.tokenproxy.bootstrap.cli.ImportCodexLoginCommand;
import dev.tokenproxy.bootstrap.cli.ImportKiroLoginCommand;
import dev.tokenproxy.bootstrap.cli.JvmSettings;
import dev.tokenproxy.bootstrap.cli.LaunchOptions;
import dev.tokenproxy.bootstrap.config.LogLevel;
import dev.tokenproxy.bootstrap.config.ConfigException;
import dev.tokenproxy.bootstrap.config.ConfigLoader;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.bootstrap.config.HostLimits;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar token-proxy.jar [--config FILE]}: loads the configuration (the file, else
 * {@code TOKEN_PROXY_CONFIG}, else the embedded default), starts the gateway and prints the
 * {@code token-proxy listening on ...} line, the only line it writes to stdout. Logs go to stderr.
 *
 * <p>{@code java -jar token-proxy.jar import-codex-login ...} runs {@link ImportCodexLoginCommand} instead.
 *
 * <p>{@code --help} and {@code --version} print to stdout and exit 0; see {@link LaunchOptions}.
 *
 * <p>Exit codes: 0 after SIGTERM/SIGINT once every in-flight request finished, 1 when it cannot start (e.g. the port
 * is taken), 2 for an invalid configuration or command line (a plug-in in {@code plugins_dir} that cannot be loaded or
 * built included), 3 when the listener stopped accepting connections while
 * running (a supervisor should restart it), 4 when requests were still in flight at the end of the shutdown grace
 * period and were cut.
 */
public final class Main {

    private static final int EXIT_CANNOT_START = 1;
    private static final int EXIT_BAD_USAGE = 2;
    private static final int EXIT_LISTENER_LOST = 3;
    private static final int EXIT_REQUESTS_CUT = 4;
    private static final String GUICE_BYTECODE_GEN = "guice_bytecode_gen_option";

    private Main() {
    }

    public static void main(String[] args) {
        avoidSunMiscUnsafe();
        if (args.length > 0 && ImportCodexLoginCommand.NAME.equals(args[0])) {
            System.exit(new ImportCodexLoginCommand(System.getenv(), Path.of(System.getProperty("user.home")),
                    System.out, System.err).run(List.of(args).subList(1, args.length)));
            return;
        }
        if (args.length > 0 && ImportKiroLoginCommand.NAME.equals(args[0])) {
            System.exit(new ImportKiroLoginCommand(System.getenv(), Path.of(System.getProperty("user.home")),
                    System.out, System.err).run(List.of(args).subList(1, args.length)));
            return;
        }
        switch (LaunchOptions.parse(List.of(args))) {
            case LaunchOptions.ShowHelp help -> {
                System.out.print(LaunchOptions.usage());
                System.exit(0);
            }
            case LaunchOptions.ShowVersion version -> {
                System.out.println("token-proxy " + BuildVersion.current());
                System.exit(0);
            }
            case LaunchOptions.Invalid invalid -> {
                System.err.println("token-proxy: " + invalid.reason());
                System.exit(EXIT_BAD_USAGE);
            }
            case LaunchOptions.Run run -> run(run.configFile().orElse(null), run.logLevel());
        }
    }

    /** @param configFile the {@code --config} argument, or null to use {@code TOKEN_PROXY_CONFIG} or the default */
    private static void run(String configFile, Optional<LogLevel> logLevel) {
        StartUpWarmUp.begin();
        ConsoleLogging.install();
        // After the logging set-up, which resets every handler; before the start, so no moment goes unwatched.
        ListenerLossWatch.install(Main::exitListenerLost);
        var log = System.getLogger(Main.class.getName());
        GatewayConfig config;
        try {
            config = new ConfigLoader(System.getenv()).load(configFile);
        } catch (ConfigException | IllegalArgumentException e) {
            printError("token-proxy: invalid configuration: " + e.getMessage());
            System.exit(EXIT_BAD_USAGE);
            return;
        }
        StartUpWarmUp.afterConfiguration(config);
        ConsoleLogging.level(logLevel.orElse(config.logLevel()));
        ConsoleLogging.json(config.jsonLogs());
        log.log(Level.INFO, "token-proxy starting with configuration: " + config.source()
                + " (" + config.upstreams().upstreams().size() + " upstreams, heap up to "
                // Shows at a glance whether the JVM settings beside the jar were given (docs/configuration.md).
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB)");
        config.warnings().forEach(warning -> log.log(Level.WARNING, warning));
        missingJvmSettingsWarning().ifPresent(warning -> log.log(Level.WARNING, warning));
        logConnectionLimit(config, log);
        Gateway gateway;
        try {
            gateway = Gateway.start(config);
        } catch (Gateway.ProviderUnusableException e) {
            // A plug-in the configuration chose cannot work: like an invalid configuration, the operator must act.
            printError("token-proxy: " + e.getMessage());
            System.exit(EXIT_BAD_USAGE);
            return;
        } catch (Gateway.CannotStartException e) {
            printError("token-proxy: " + e.getMessage());
            System.exit(EXIT_CANNOT_START);
            return;
        } catch (RuntimeException e) {
            printError("token-proxy: cannot start: " + e.getMessage());
            System.exit(EXIT_CANNOT_START);
            return;
        }
        ConsoleLogging.flush(); // every start-up line is on stderr before a supervisor sees the gateway up
        System.out.println("token-proxy listening on " + gateway.baseUrl());
        System.out.flush();
        awaitTermination(gateway, config, log);
    }

    /**
     * Guice defines the classes it generates through {@code sun.misc.Unsafe}, which JDK 24 and later warn about on
     * stderr at every start (JEP 471). Our wiring needs no generated classes (no method interception, singletons
     * built once), so Guice may use plain reflection. Guice reads the flag once, when its first class loads: hence
     * here, first thing. A value given with {@code -D} wins. See ADR 0008.
     */
    private static void avoidSunMiscUnsafe() {
        if (System.getProperty(GUICE_BYTECODE_GEN) == null) {
            System.setProperty(GUICE_BYTECODE_GEN, "DISABLED");
        }
    }

    /** A line of its own on stderr, after the log lines written so far, so that it reads as the last word. */
    private static void printError(String line) {
        ConsoleLogging.flush();
        System.err.println(line);
    }

    private static Optional<String> missingJvmSettingsWarning() {
        if (System.getProperty(JvmSettings.MARKER) != null) {
            return Optional.empty(); // the documented launch: no need to load the management classes
        }
        return JvmSettings.missingSettingsWarning(false,
                ManagementFactory.getRuntimeMXBean().getInputArguments(),
                Runtime.getRuntime().maxMemory());
    }

    private static void logConnectionLimit(GatewayConfig config, System.Logger log) {
        long openFiles = HostLimits.current().openFiles();
        int maxConnections = config.limits().maxConnections();
        if (openFiles <= 0) {
            log.log(Level.WARNING, "the open-file limit (ulimit -n) is unknown on this platform, so "
                    + "limits.max_connections (" + maxConnections + ") was not checked against it");
        } else {
            log.log(Level.INFO, "accepting at most " + maxConnections + " connections (open-file limit "
                    + openFiles + ")");
        }
    }

    /**
     * The listener is gone for good while the process would live on, looking healthy to a supervisor that only
     * watches the process: exit instead, so that it restarts us. On a thread of its own, because the caller is the
     * logging call of the dying listener.
     */
    private static void exitListenerLost(String cause) {
        printError("token-proxy: stopped accepting connections (" + cause + "); exiting so that it can be "
                + "restarted");
        Thread.ofPlatform().name("listener-lost-exit").start(() -> System.exit(EXIT_LISTENER_LOST));
    }

    /**
     * Blocks until SIGTERM or SIGINT, then drains in-flight requests and exits: 0 when every one finished, else
     * {@value #EXIT_REQUESTS_CUT} with a line saying how many were cut at the end of the grace period.
     */
    private static void awaitTermination(Gateway gateway, GatewayConfig config, System.Logger log) {
        var stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.countDown());
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.log(Level.INFO, "token-proxy draining in-flight requests and stopping");
        int cut = gateway.stop();
        if (cut > 0) {
            printError("token-proxy: " + cut + (cut == 1 ? " request was" : " requests were")
                    + " still in flight when the shutdown grace period (shutdown_grace_seconds: "
                    + config.shutdownGrace().toSeconds() + ") ended, and " + (cut == 1 ? "was" : "were") + " cut");
            System.exit(EXIT_REQUESTS_CUT);
        }
        System.exit(0);
    }
}
