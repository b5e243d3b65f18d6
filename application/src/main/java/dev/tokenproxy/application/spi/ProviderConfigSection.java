package dev.tokenproxy.application.spi;

import dev.tokenproxy.application.model.ProviderOptions;
import java.net.URI;
import java.util.Optional;

/**
 * The part of an upstream's configuration that only one provider reads: an upstream field named after it (the
 * {@code mock} provider's {@code mock:} block, say), validated by {@link #read} when configuration is loaded. An
 * upstream of another provider that has the field is refused, like any unknown field, so a block cannot be silently
 * unused. The result reaches the provider's port as {@link dev.tokenproxy.application.model.Upstream#providerOptions()}.
 */
public interface ProviderConfigSection {

    /** A provider that has no options: no extra field, {@code base_url} required. */
    ProviderConfigSection NONE = new ProviderConfigSection() {
        @Override
        public Optional<String> field() {
            return Optional.empty();
        }

        @Override
        public ProviderOptions read(OptionsNode options) {
            return ProviderOptions.NONE;
        }
    };

    /** The upstream field that holds the options, e.g. {@code mock}; empty when the provider has none. */
    Optional<String> field();

    /**
     * Reads and validates the field (which may be absent: then the provider's defaults). A value that is wrong is
     * refused with {@link OptionsNode#invalid}, which names the field path in the error the operator sees.
     */
    ProviderOptions read(OptionsNode options);

    /** The {@code base_url} of an upstream that names none; empty when the field is required. */
    default Optional<URI> defaultBaseUrl() {
        return Optional.empty();
    }
}
