package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.Module;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import java.time.Clock;
import java.util.List;

/** Every module of the gateway, composed in this one place. */
public final class TokenProxyModules {

    private TokenProxyModules() {
    }

    /** The providers are those {@code config} was validated against ({@link GatewayConfig#providers()}). */
    public static List<Module> all(GatewayConfig config, Clock clock) {
        return List.of(
                new ConfigModule(config, clock),
                new CooldownStoreModule(),
                new AccountsModule(),
                new UpstreamProvidersModule(),
                new UpstreamModelsModule(),
                new ApplicationModule(),
                new RecordsModule(),
                new MetricsModule(),
                new HttpModule());
    }
}
