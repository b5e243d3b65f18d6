package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.Module;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import java.time.Clock;
import java.util.List;

/** Every module of the gateway, composed in this one place. */
public final class TokenProxyModules {

    private TokenProxyModules() {
    }

    public static List<Module> all(GatewayConfig config, Clock clock) {
        return List.of(
                new ConfigModule(config, clock),
                new CooldownStoreModule(),
                new UpstreamProvidersModule(),
                new ApplicationModule(),
                new HttpModule());
    }
}
