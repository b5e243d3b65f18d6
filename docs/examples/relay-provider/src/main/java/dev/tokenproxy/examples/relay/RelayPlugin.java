package dev.tokenproxy.examples.relay;

import static dev.tokenproxy.domain.classify.ClassificationRule.status;

import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.spi.ProviderConfigSection;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.ClassificationRule;
import dev.tokenproxy.domain.classify.Verdict;
import dev.tokenproxy.domain.classify.Verdict.CooldownKind;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.List;

/**
 * The {@code relay} provider: relays Chat Completions requests, unstreamed, to any server that speaks the OpenAI Chat
 * API, with the JDK's own HTTP client. Listed in
 * {@code META-INF/services/dev.tokenproxy.application.spi.ProviderPlugin}, which is how the gateway finds it.
 *
 * <pre>
 * plugins_dir: ./plugins            # holds relay-provider.jar
 * upstreams:
 *   - id: local-llm
 *     provider: relay
 *     base_url: http://127.0.0.1:8000/v1
 *     api_keys: [ "${LOCAL_LLM_KEY}" ]
 *     relay: { path: /chat/completions }   # optional: this provider's own section
 * </pre>
 */
public final class RelayPlugin implements ProviderPlugin {

    /** The name configuration knows it by; Chat natively; upstreams authenticate with API keys. */
    static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.nativeOnly("relay", InboundFormat.CHAT);

    /**
     * Consulted before the gateway's defaults. The defaults already make 429 and the common 5xx retryable; a relayed
     * server may be a small one whose every 5xx means "try elsewhere", so this provider says so for the whole range.
     */
    static final List<ClassificationRule> RULES = List.of(
            status(429, Verdict.retry(RetryReason.RATE_LIMITED, CooldownKind.TRANSIENT)).forProvider("relay"),
            status(500, 599, Verdict.retry(RetryReason.SERVER_ERROR, CooldownKind.TRANSIENT)).forProvider("relay"));

    /** ServiceLoader needs a public no-argument constructor; nothing happens here, the work starts in create. */
    public RelayPlugin() {
    }

    @Override
    public ProviderDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<ClassificationRule> classificationRules() {
        return RULES;
    }

    @Override
    public ProviderConfigSection configSection() {
        return new RelayConfigSection();
    }

    @Override
    public SendAttemptPort create(ProviderContext context) {
        return new RelayPort(context.clock(), context.maxUpstreamBodyBytes());
    }
}
