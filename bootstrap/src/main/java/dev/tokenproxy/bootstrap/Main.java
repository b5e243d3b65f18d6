package dev.tokenproxy.bootstrap;

import dev.tokenproxy.bootstrap.config.ConfigException;
import dev.tokenproxy.bootstrap.config.ConfigLoader;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar token-proxy.jar [--config FILE]}: loads the configuration (the file, else
 * {@code TOKEN_PROXY_CONFIG}, else the embedded default), starts the gateway and prints the
 * {@code token-proxy listening on ...} line, the only line it writes to stdout. Logs go to stderr.
 */
public final class Main {

    private static final int EXIT_BAD_USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        ConsoleLogging.install();
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
        Gateway gateway;
        try {
            gateway = Gateway.start(config);
        } catch (RuntimeException e) {
            System.err.println("token-proxy: cannot start: " + e.getMessage());
            System.exit(1);
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
                    System.exit(0);
                }
                default -> throw new ConfigException("unknown argument '" + args[i] + "' (usage: [--config FILE])");
            }
        }
        if (file == null) {
            file = System.getenv("TOKEN_PROXY_CONFIG");
        }
        return file == null || file.isBlank() ? loader.loadEmbeddedDefault() : loader.loadFile(Path.of(file));
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
