package dev.tokenproxy.bootstrap;

import dev.tokenproxy.adapter.out.records.SqliteRecordStore;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import io.helidon.service.registry.GlobalServiceRegistry;

/**
 * Start-up work that does not depend on the rest, begun on other threads while the main thread reads the configuration
 * and wires the gateway: the default TLS context (reading the JDK's trust store) and the SQLite native library were
 * about a quarter of the time to the {@code listening} line, one after the other on one core, and Helidon's service
 * registry most of the time its routing took to build. What is begun here is only what the main thread would do
 * itself a moment later, with the same calls: the JDK and the libraries hand it what a warm-up thread already made,
 * or let it wait for it. Nothing is begun that the configuration did not ask for, and nothing that may log: a start
 * that fails on its configuration prints its one line and nothing else.
 */
final class StartUpWarmUp {

    private StartUpWarmUp() {
    }

    /** Before the configuration is read: what every gateway needs. */
    static void begin() {
        start("token-proxy-warm-up-tls", UpstreamHttpClient::prepareDefaultTls);
        // Helidon's service registry, which building the routing asks for first (through its parameter mappers):
        // discovering every service of every Helidon module in the jar was ~18% of a plain start's CPU on the main
        // thread (benchmark.md, seventh pass).
        start("token-proxy-warm-up-helidon", GlobalServiceRegistry::registry);
    }

    /** Once the configuration is read: what it asks for. */
    static void afterConfiguration(GatewayConfig config) {
        if (config.records().enabled()) {
            start("token-proxy-warm-up-records", () -> SqliteRecordStore.loadDriver(config.dataDir()));
        }
    }

    private static void start(String name, Runnable work) {
        Thread.ofPlatform().name(name).daemon().start(() -> {
            try {
                work.run();
            } catch (RuntimeException | LinkageError ignored) {
                // The main thread does the same work later and reports what fails there.
            }
        });
    }
}
