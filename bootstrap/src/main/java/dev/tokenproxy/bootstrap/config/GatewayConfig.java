package dev.tokenproxy.bootstrap.config;

import dev.tokenproxy.adapter.in.http.LocalApiKey;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The validated configuration (configuration contract), already turned into the types the modules use.
 *
 * @param source             where it came from, for the first log line ("embedded default" or a file path)
 * @param clientRetryWaitMax gateway errors that ask for a longer wait answer {@code x-should-retry: false}
 * @param logLevel           how much is logged unless {@code --log-level} says otherwise
 * @param jsonLogs           {@code log_format: json}: every log line a JSON object, for log shippers
 * @param providers          the providers the upstreams were validated against (the class path's and those of
 *                           {@code plugins_dir}); the wiring builds one port for each
 * @param warnings           what is valid but cannot work as configured (an upstream without credentials), one line
 *                           each, for the log at start; never a secret
 */
public record GatewayConfig(String source, String host, int port, Path dataDir, List<LocalApiKey> localApiKeys,
                            GatewaySettings settings, CooldownPolicy cooldown, long maxRequestBodyBytes,
                            Path accountsFile, OAuthEndpoints oauth, UpstreamCatalog upstreams,
                            Duration shutdownGrace, Limits limits, Duration clientRetryWaitMax, LogLevel logLevel,
                            boolean jsonLogs, Records records, Metrics metrics, ProviderRegistry providers,
                            List<String> warnings) {

    public GatewayConfig {
        localApiKeys = List.copyOf(localApiKeys);
        warnings = List.copyOf(warnings);
    }

    /**
     * What one client, one upstream or many of both together may cost the process (configuration {@code limits}).
     *
     * @param maxConnections       concurrent inbound connections; kept well under the open-file limit
     * @param headerTimeout        from the first byte of a request to the end of its headers
     * @param bodyTimeout          to receive a whole request body
     * @param idleConnection       a connection with no request in progress is closed after this long
     * @param maxUpstreamBodyBytes largest upstream response body the gateway buffers; larger is a failed attempt
     * @param maxInFlightBytes     request and buffered response bytes held at once, over all requests
     */
    public record Limits(int maxConnections, Duration headerTimeout, Duration bodyTimeout, Duration idleConnection,
                         long maxUpstreamBodyBytes, long maxInFlightBytes) {
    }

    /**
     * The attempt records (configuration {@code records}): kept in {@code data_dir/records.db} unless switched off.
     *
     * @param retention how long records are kept
     * @param queueSize how many requests' records may wait for the store; more are dropped and counted
     */
    public record Records(boolean enabled, Duration retention, int queueSize) {
        public static final Records DEFAULTS = new Records(true, Duration.ofDays(30), 10_000);
    }

    /** {@code GET /metrics} and the meters behind it (configuration {@code metrics}); on unless switched off. */
    public record Metrics(boolean enabled) {
        public static final Metrics DEFAULTS = new Metrics(true);
    }

    /** Token endpoints of the OAuth providers; tests point them at local fakes. */
    public record OAuthEndpoints(URI codexTokenUrl, URI kiroRefreshUrl) {
    }
}
