package dev.tokenproxy.adapter.out.upstream.mock;

import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.spi.ProviderConfigSection;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.domain.classify.ClassificationRule;
import java.util.List;

/**
 * The built-in {@code mock} provider, answered in-process: the one built-in with a configuration section of its own
 * ({@code mock: faults: [...]}) and no HTTP client, only the clock its answers are dated by.
 */
public final class MockPlugin implements ProviderPlugin {

    @Override
    public ProviderDescriptor descriptor() {
        return MockAdapter.DESCRIPTOR;
    }

    @Override
    public List<ClassificationRule> classificationRules() {
        return MockAdapter.RULES;
    }

    @Override
    public ProviderConfigSection configSection() {
        return new MockConfigSection();
    }

    @Override
    public SendAttemptPort create(ProviderContext context) {
        return new MockAdapter(context.clock());
    }
}
