package dev.tokenproxy.application.spi;

import dev.tokenproxy.application.port.in.ReportUsageUseCase;
import java.time.Clock;
import java.util.Optional;

/**
 * What the gateway lends a provider when {@link ProviderPlugin#create building its port}: the same clock, usage book
 * and limits the built-in providers get, and shared components by type.
 */
public interface ProviderContext {

    /** The gateway's clock: date answers and compute deadlines with it, so tests can fix time. */
    Clock clock();

    /** Where a provider reports the quota windows an answer announced (Codex's usage headers, say). */
    ReportUsageUseCase usage();

    /**
     * The largest upstream response body the gateway buffers ({@code limits.max_upstream_body_bytes}); a provider
     * that buffers bodies itself should treat a larger one as a failed attempt.
     */
    long maxUpstreamBodyBytes();

    /**
     * A component the gateway shares between providers, by its type: the built-ins share one pooled upstream HTTP
     * client this way. Empty for a type the gateway does not share; a plug-in should not count on the built-ins'
     * internal types, which are not part of this interface.
     */
    <T> Optional<T> shared(Class<T> type);
}
