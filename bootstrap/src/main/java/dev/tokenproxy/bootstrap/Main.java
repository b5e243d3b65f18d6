package dev.tokenproxy.bootstrap;

import dev.tokenproxy.adapter.in.http.connection.ListenerLossWatch;
import dev.tokenproxy.bootstrap.cli.ImportCodexLoginCommand;
import dev.tokenproxy.bootstrap.config.ConfigException;
import dev.tokenproxy.bootstrap.config.ConfigLoader;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.bootstrap.config.HostLimits;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar token-proxy.jar [--config FILE]}: loads the configuration (the file, else
 * {@code TOKEN_PROXY_CONFIG}, else the embedded default), starts the gateway and prints the
 * {@code token-proxy listening on ...} line, the only line it writes to stdout. Logs go to stderr.
 *
 * <p>{@code java -jar token-proxy.jar import-codex-login ...} runs {@link ImportCodexLoginCommand} instead.
 *
 * <p>Exit codes: 0 after SIGTERM/SIGINT, 1 when it cannot start (e.g. the port is taken), 2 for an invalid
 * configuration, 3 when the listener stopped accepting connections while running (a supervisor should restart it).
 */
public final class Main {

    private static final int EXIT_CANNOT_START = 1;
    private static final int EXIT_BAD_USAGE = 2;
    private static final int EXIT_LISTENER_LOST = 3;

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && ImportCodexLoginCommand.NAME.equals(args[0])) {
            System.exit(new ImportCodexLoginCommand(System.getenv(), Path.of(System.getProperty("user.home")),
                    System.out, System.err).run(List.of(args).subList(1, args.length)));
            return;
        }
        ConsoleLogging.install();
        // After the logging set-up, which resets every handler; before the start, so no moment goes unwatched.
        ListenerLossWatch.install(Main::exitListenerLost);
        var log = System.getLogger(Main.class.getName());
        GatewayConfig config;
        try {
            config = load(args);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("token-proxy: invalid configuration: " + e.getMessage());
            System.exit(EXIT_BAD_USAGE);
            return;
        }
        log.log(Level.INFO, "token-proxy starting with configuration: " + config.source()
                + " (" + config.upstreams().upstreams().size() + " upstreams)");
        logConnectionLimit(config, log);
        Gateway gateway;
        try {
            gateway = Gateway.start(config);
        } catch (Gateway.CannotListenException e) {
            System.err.println("token-proxy: " + e.getMessage());
            System.exit(EXIT_CANNOT_START);
            return;
        } catch (RuntimeException e) {
            System.err.println("token-proxy: cannot start: " + e.getMessage());
            System.exit(EXIT_CANNOT_START);
            return;
        }
        System.out.println("token-proxy listening on " + gateway.baseUrl());
        System.out.flush();
        awaitTermination(gateway, log);
    }

    private static GatewayConfig load(String[] args) {
        var loader = new ConfigLoader(System.getenv());
        String file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        throw new ConfigException("--config needs a file argument");
                    }
                    file = args[++i];
                }
                case "--help", "-h" -> {
                    System.out.println("usage: java -jar token-proxy.jar [--config FILE]");
                    System.out.println("       java -jar token-proxy.jar " + ImportCodexLoginCommand.USAGE);
                    System.exit(0);
                }
                default -> throw new ConfigException("unknown argument '" + args[i] + "' (usage: [--config FILE])");
            }
        }
        return loader.load(file);
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
        System.err.println("token-proxy: stopped accepting connections (" + cause + "); exiting so that it can be "
                + "restarted");
        Thread.ofPlatform().name("listener-lost-exit").start(() -> System.exit(EXIT_LISTENER_LOST));
    }

    /** Blocks until SIGTERM or SIGINT, then drains in-flight requests and exits 0. */
    private static void awaitTermination(Gateway gateway, System.Logger log) {
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
        gateway.close();
        System.exit(0);
    }
}
