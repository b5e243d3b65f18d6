package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.adapter.out.upstream.openai.OpenAiChatAdapter;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import java.time.Clock;
import java.util.Optional;

/**
 * One {@link SendAttemptPort} per provider kind, keyed by the provider name used in configuration. A new provider
 * is one more {@code addBinding} here; the failover loop finds it through the map.
 */
final class UpstreamProvidersModule extends AbstractModule {

    @Override
    protected void configure() {
        var providers = MapBinder.newMapBinder(binder(), String.class, SendAttemptPort.class);
        providers.addBinding("openai").to(OpenAiChatAdapter.class);
    }

    /** One pooled client for every upstream: certificates checked against the JDK trust store. */
    @Provides
    @Singleton
    UpstreamHttpClient upstreamHttpClient(GatewayConfig config, InFlightBytes budget) {
        return new UpstreamHttpClient(Optional.empty(), config.limits().maxUpstreamBodyBytes(), budget);
    }

    @Provides
    @Singleton
    OpenAiChatAdapter openAiChatAdapter(UpstreamHttpClient http, Clock clock) {
        return new OpenAiChatAdapter(http, clock);
    }
}
