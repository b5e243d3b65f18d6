package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.adapter.out.upstream.anthropic.AnthropicAdapter;
import dev.tokenproxy.adapter.out.upstream.codex.CodexAdapter;
import dev.tokenproxy.adapter.out.upstream.kiro.KiroAdapter;
import dev.tokenproxy.adapter.out.upstream.mock.MockAdapter;
import dev.tokenproxy.adapter.out.upstream.openai.OpenAiChatAdapter;
import dev.tokenproxy.adapter.out.upstream.responses.OpenAiResponsesAdapter;
import dev.tokenproxy.application.port.in.ReportUsageUseCase;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry;
import java.time.Clock;
import java.util.Optional;

/**
 * One {@link SendAttemptPort} per provider of the {@link ProviderRegistry}, keyed by the provider name used in
 * configuration; the failover loop finds it through the map. How each adapter is built is said below.
 */
final class UpstreamProvidersModule extends AbstractModule {

    private final ProviderRegistry registry;

    UpstreamProvidersModule(ProviderRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected void configure() {
        var ports = MapBinder.newMapBinder(binder(), String.class, SendAttemptPort.class);
        for (var provider : registry.providers()) {
            ports.addBinding(provider.descriptor().name()).to(provider.adapter());
        }
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

    @Provides
    @Singleton
    CodexAdapter codexAdapter(UpstreamHttpClient http, Clock clock, ReportUsageUseCase usage) {
        return new CodexAdapter(http, clock, usage);
    }

    /** In-process: no HTTP client, only the clock its answers are dated by. */
    @Provides
    @Singleton
    MockAdapter mockAdapter(Clock clock) {
        return new MockAdapter(clock);
    }

    @Provides
    @Singleton
    OpenAiResponsesAdapter openAiResponsesAdapter(UpstreamHttpClient http, Clock clock) {
        return new OpenAiResponsesAdapter(http, clock);
    }

    @Provides
    @Singleton
    AnthropicAdapter anthropicAdapter(UpstreamHttpClient http, Clock clock) {
        return new AnthropicAdapter(http, clock);
    }

    @Provides
    @Singleton
    KiroAdapter kiroAdapter(UpstreamHttpClient http, Clock clock) {
        return new KiroAdapter(http, clock);
    }
}
