package dev.tokenproxy.adapter.out.upstream.openai;

import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.domain.classify.ClassificationRule;
import java.util.List;

/** The built-in {@code openai} provider (OpenAI Chat Completions), found like any provider through {@link ProviderPlugin}. */
public final class OpenAiChatPlugin implements ProviderPlugin {

    @Override
    public ProviderDescriptor descriptor() {
        return OpenAiChatAdapter.DESCRIPTOR;
    }

    @Override
    public List<ClassificationRule> classificationRules() {
        return OpenAiChatAdapter.RULES;
    }

    @Override
    public SendAttemptPort create(ProviderContext context) {
        return new OpenAiChatAdapter(UpstreamHttpClient.sharedBy(context), context.clock());
    }
}
