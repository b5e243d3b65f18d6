package dev.tokenproxy.adapter.out.upstream.kiro;

import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.domain.classify.ClassificationRule;
import java.util.List;

/** The built-in {@code kiro} provider (Kiro accounts), found like any provider through {@link ProviderPlugin}. */
public final class KiroPlugin implements ProviderPlugin {

    @Override
    public ProviderDescriptor descriptor() {
        return KiroAdapter.DESCRIPTOR;
    }

    @Override
    public List<ClassificationRule> classificationRules() {
        return KiroAdapter.RULES;
    }

    @Override
    public SendAttemptPort create(ProviderContext context) {
        return new KiroAdapter(UpstreamHttpClient.sharedBy(context), context.clock());
    }
}
