package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import dev.tokenproxy.adapter.out.models.RefreshingUpstreamModels;
import dev.tokenproxy.adapter.out.upstream.anthropic.AnthropicModels;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiModelsEndpoint;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.adapter.out.upstream.mock.MockModels;
import dev.tokenproxy.adapter.out.upstream.openai.OpenAiChatAdapter;
import dev.tokenproxy.adapter.out.upstream.responses.OpenAiResponsesAdapter;
import dev.tokenproxy.application.port.out.FetchUpstreamModelsPort;
import dev.tokenproxy.application.port.out.KnownUpstreamModelsPort;
import java.time.Duration;
import java.util.Set;

/**
 * What upstreams say they serve, for {@code GET /v1/models}: one {@link FetchUpstreamModelsPort} per provider whose
 * API has a model listing (the OpenAI-style ones and Anthropic; {@code codex} has none), behind a cache refreshed in the
 * background.
 */
final class UpstreamModelsModule extends AbstractModule {

    /**
     * Long enough for a reachable upstream to answer the first listing after start, short enough that a client's
     * first {@code models.list()} does not look hung when one is not.
     */
    private static final Duration FIRST_FETCH_WAIT = Duration.ofSeconds(3);

    @ProvidesIntoSet
    @Singleton
    FetchUpstreamModelsPort openAiChatModels(UpstreamHttpClient http) {
        return new OpenAiModelsEndpoint(OpenAiChatAdapter.PROVIDER, http);
    }

    @ProvidesIntoSet
    @Singleton
    FetchUpstreamModelsPort openAiResponsesModels(UpstreamHttpClient http) {
        return new OpenAiModelsEndpoint(OpenAiResponsesAdapter.PROVIDER, http);
    }

    @ProvidesIntoSet
    @Singleton
    FetchUpstreamModelsPort anthropicModels(UpstreamHttpClient http) {
        return AnthropicModels.endpoint(http);
    }

    @ProvidesIntoSet
    @Singleton
    FetchUpstreamModelsPort mockModels() {
        return new MockModels();
    }

    @Provides
    @Singleton
    KnownUpstreamModelsPort knownUpstreamModels(Set<FetchUpstreamModelsPort> fetchers) {
        return RefreshingUpstreamModels.inBackground(fetchers, FIRST_FETCH_WAIT);
    }
}
