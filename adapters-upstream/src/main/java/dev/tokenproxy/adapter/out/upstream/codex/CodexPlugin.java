package dev.tokenproxy.adapter.out.upstream.codex;

import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.domain.classify.ClassificationRule;
import java.util.List;

/** The built-in {@code codex} provider (ChatGPT accounts through the Codex backend), found like any provider through {@link ProviderPlugin}; it reports the quota windows of each answer to the usage book. */
public final class CodexPlugin implements ProviderPlugin {

    @Override
    public ProviderDescriptor descriptor() {
        return CodexAdapter.DESCRIPTOR;
    }

    @Override
    public List<ClassificationRule> classificationRules() {
        return CodexAdapter.rules();
    }

    @Override
    public SendAttemptPort create(ProviderContext context) {
        return new CodexAdapter(UpstreamHttpClient.sharedBy(context), context.clock(), context.usage());
    }
}
