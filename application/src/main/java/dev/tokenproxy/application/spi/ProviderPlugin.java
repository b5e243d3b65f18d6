package dev.tokenproxy.application.spi;

import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.classify.ClassificationRule;
import java.util.List;

/**
 * One upstream provider kind, as the gateway finds it at start: built in, or packaged in a jar of its own on the class
 * path or in the configured {@code plugins_dir}. Implementations are found with {@link java.util.ServiceLoader}, so
 * each has a public no-argument constructor and is listed in
 * {@code META-INF/services/dev.tokenproxy.application.spi.ProviderPlugin}. Built-in providers are found the same way.
 *
 * <p>What a provider declares here is read before any upstream is configured: its {@link #descriptor() name, formats
 * and credential kind} and its {@link #configSection() configuration section} let configuration validation treat it
 * exactly like a built-in; its {@link #classificationRules() rows} say which answers are failures. Only then does the
 * gateway call {@link #create} once, for the one port that serves every upstream of this provider.
 *
 * <p>A plug-in's failures stay contained: an exception or a missing outcome from its port makes that attempt a
 * retryable failure (docs/adding-a-provider.md, "What the gateway guarantees"), never a failed gateway.
 */
public interface ProviderPlugin {

    /**
     * The provider's name in configuration ({@code provider: NAME}), the inbound formats it serves and what its
     * upstreams authenticate with. Must be constant: the gateway reads it once, and the port's
     * {@link SendAttemptPort#descriptor()} must return an equal one.
     */
    ProviderDescriptor descriptor();

    /**
     * The rows this provider's answers are classified by, consulted before the gateway's defaults
     * ({@link dev.tokenproxy.domain.classify.ClassificationTable#withProviderRules}); empty when the defaults fit
     * (429 and 5xx retryable, 401/403 a rejected credential, ...). Each row applies to every provider
     * ({@code "*"}) or names this one: a row naming another provider is refused at start.
     */
    default List<ClassificationRule> classificationRules() {
        return List.of();
    }

    /** The upstream field only this provider reads, and how it is validated; {@link ProviderConfigSection#NONE}. */
    default ProviderConfigSection configSection() {
        return ProviderConfigSection.NONE;
    }

    /**
     * Builds the port that sends every attempt to this provider's upstreams; called once, at start. An exception here
     * refuses the start with a message naming the provider.
     */
    SendAttemptPort create(ProviderContext context);
}
