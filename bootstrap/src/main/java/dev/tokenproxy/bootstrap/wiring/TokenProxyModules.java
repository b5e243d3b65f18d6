package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.Module;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry;
import java.time.Clock;
import java.util.List;

/** Every module of the gateway, composed in this one place. */
public final class TokenProxyModules {

    private TokenProxyModules() {
    }

    public static List<Module> all(GatewayConfig config, Clock clock) {
        return all(config, clock, ProviderRegistry.ofThisBuild());
    }

    /** @param providers the registry {@code config} was validated against, so that every upstream has its port */
    public static List<Module> all(GatewayConfig config, Clock clock, ProviderRegistry providers) {
        return List.of(
                new ConfigModule(config, clock),
                new CooldownStoreModule(),
                new AccountsModule(),
                new UpstreamProvidersModule(providers),
                new UpstreamModelsModule(),
                new ApplicationModule(),
                new RecordsModule(),
                new MetricsModule(),
                new HttpModule());
    }
}
