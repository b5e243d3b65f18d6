package dev.tokenproxy.adapter.out.upstream.anthropic;

import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.domain.classify.ClassificationRule;
import java.util.List;

/** The built-in {@code anthropic} provider (Anthropic Messages), found like any provider through {@link ProviderPlugin}. */
public final class AnthropicPlugin implements ProviderPlugin {

    @Override
    public ProviderDescriptor descriptor() {
        return AnthropicAdapter.DESCRIPTOR;
    }

    @Override
    public List<ClassificationRule> classificationRules() {
        return AnthropicAdapter.RULES;
    }

    @Override
    public SendAttemptPort create(ProviderContext context) {
        return new AnthropicAdapter(UpstreamHttpClient.sharedBy(context), context.clock());
    }
}
