package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import java.time.Clock;

/** Makes the loaded configuration, and the one clock everything measures time with, injectable. */
final class ConfigModule extends AbstractModule {

    private final GatewayConfig config;
    private final Clock clock;

    ConfigModule(GatewayConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    @Override
    protected void configure() {
        bind(GatewayConfig.class).toInstance(config);
        bind(GatewaySettings.class).toInstance(config.settings());
        bind(CooldownPolicy.class).toInstance(config.cooldown());
        bind(UpstreamCatalog.class).toInstance(config.upstreams());
        bind(Clock.class).toInstance(clock);
        // One budget shared by the inbound edge (request bodies) and the upstream client (buffered responses).
        bind(InFlightBytes.class).toInstance(new InFlightBytes(config.limits().maxInFlightBytes()));
    }
}
