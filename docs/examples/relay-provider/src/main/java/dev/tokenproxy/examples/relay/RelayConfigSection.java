package dev.tokenproxy.examples.relay;

import dev.tokenproxy.application.model.ProviderOptions;
import dev.tokenproxy.application.spi.OptionsNode;
import dev.tokenproxy.application.spi.ProviderConfigSection;
import java.util.Optional;
import java.util.Set;

/**
 * A relay upstream's own field, {@code relay: { path: /chat/completions }}: where under {@code base_url} the Chat
 * endpoint is. The gateway refuses the field on upstreams of other providers, and any key here but {@code path}.
 */
final class RelayConfigSection implements ProviderConfigSection {

    @Override
    public Optional<String> field() {
        return Optional.of("relay");
    }

    @Override
    public ProviderOptions read(OptionsNode options) {
        options.requireObject(Set.of("path"));
        var path = options.field("path");
        String value = path.string(RelayOptions.DEFAULTS.path());
        if (!value.startsWith("/")) {
            throw path.invalid("must start with '/', got " + path.quoted(value));
        }
        return new RelayOptions(value);
    }

    /** What a relay upstream is configured with; the port reads it from {@code Upstream.providerOptions()}. */
    record RelayOptions(String path) implements ProviderOptions {
        static final RelayOptions DEFAULTS = new RelayOptions("/chat/completions");
    }
}
