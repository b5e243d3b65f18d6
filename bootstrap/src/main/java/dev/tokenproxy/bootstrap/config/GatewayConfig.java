package dev.tokenproxy.bootstrap.config;

import dev.tokenproxy.adapter.in.http.LocalApiKey;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The validated configuration (configuration contract), already turned into the types the modules use.
 *
 * @param source where it came from, for the first log line ("embedded default" or a file path)
 */
public record GatewayConfig(String source, String host, int port, Path dataDir, List<LocalApiKey> localApiKeys,
                            GatewaySettings settings, CooldownPolicy cooldown, long maxRequestBodyBytes,
                            Path accountsFile, OAuthEndpoints oauth, UpstreamCatalog upstreams,
                            Duration shutdownGrace) {

    public GatewayConfig {
        localApiKeys = List.copyOf(localApiKeys);
    }

    /** Token endpoints of the OAuth providers; tests point them at local fakes. */
    public record OAuthEndpoints(URI codexTokenUrl, URI kiroRefreshUrl) {
    }
}
