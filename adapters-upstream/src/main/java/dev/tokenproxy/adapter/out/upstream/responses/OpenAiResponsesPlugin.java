package dev.tokenproxy.adapter.out.upstream.responses;

import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.domain.classify.ClassificationRule;
import java.util.List;

/** The built-in {@code openai_responses} provider (OpenAI Responses), found like any provider through {@link ProviderPlugin}. */
public final class OpenAiResponsesPlugin implements ProviderPlugin {

    @Override
    public ProviderDescriptor descriptor() {
        return OpenAiResponsesAdapter.DESCRIPTOR;
    }

    @Override
    public List<ClassificationRule> classificationRules() {
        return OpenAiResponsesAdapter.RULES;
    }

    @Override
    public SendAttemptPort create(ProviderContext context) {
        return new OpenAiResponsesAdapter(UpstreamHttpClient.sharedBy(context), context.clock());
    }
}
