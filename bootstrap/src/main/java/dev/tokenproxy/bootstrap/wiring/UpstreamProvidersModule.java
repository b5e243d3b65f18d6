package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.adapter.out.upstream.http.WakeupHeartbeat;
import dev.tokenproxy.application.port.in.ReportUsageUseCase;
import dev.tokenproxy.application.port.out.CarrierTurns;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.bootstrap.provider.ContainedSendAttemptPort;
import dev.tokenproxy.bootstrap.provider.ProviderLoadingException;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One {@link SendAttemptPort} per provider of the {@link ProviderRegistry} the configuration was validated against,
 * keyed by the provider name used in configuration; the failover loop finds it through the map. Every port is built
 * by its plug-in's factory, built-ins and plug-ins alike, and wrapped in a {@link ContainedSendAttemptPort}.
 */
final class UpstreamProvidersModule extends AbstractModule {

    /** One pooled client for every built-in upstream: certificates checked against the JDK trust store. */
    @Provides
    @Singleton
    UpstreamHttpClient upstreamHttpClient(GatewayConfig config, InFlightBytes budget, CarrierTurns turns) {
        return new UpstreamHttpClient(Optional.empty(), config.limits().maxUpstreamBodyBytes(), budget, turns);
    }

    /** The one heartbeat that requests on both sides of the gateway take their turns by (ADR 0023). */
    @Provides
    @Singleton
    CarrierTurns carrierTurns() {
        return new WakeupHeartbeat();
    }

    /** @throws ProviderLoadingException naming the provider whose factory failed or whose port disagrees with it */
    @Provides
    @Singleton
    Map<String, SendAttemptPort> ports(GatewayConfig config, UpstreamHttpClient http, Clock clock,
                                       ReportUsageUseCase usage) {
        ProviderContext context = new GatewayProviderContext(clock, usage, config.limits().maxUpstreamBodyBytes(),
                Map.of(UpstreamHttpClient.class, http));
        var ports = new LinkedHashMap<String, SendAttemptPort>();
        for (var provider : config.providers().providers()) {
            ports.put(provider.descriptor().name(), new ContainedSendAttemptPort(built(provider, context),
                    provider.descriptor(), provider.origin()));
        }
        return Map.copyOf(ports);
    }

    private static SendAttemptPort built(ProviderRegistry.Provider provider, ProviderContext context) {
        SendAttemptPort port;
        try {
            port = provider.plugin().create(context);
            if (port == null) {
                throw new IllegalStateException("create(...) returned null");
            }
            if (!provider.descriptor().equals(port.descriptor())) {
                throw new IllegalStateException("its port's descriptor " + port.descriptor()
                        + " differs from the declared " + provider.descriptor());
            }
        } catch (RuntimeException | LinkageError e) {
            throw new ProviderLoadingException("provider '" + provider.descriptor().name() + "' ("
                    + provider.describe() + ") cannot be started: " + ProviderLoadingException.describe(e));
        }
        return port;
    }
}
