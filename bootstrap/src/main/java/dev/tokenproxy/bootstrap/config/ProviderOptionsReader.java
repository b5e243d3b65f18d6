package dev.tokenproxy.bootstrap.config;

import dev.tokenproxy.application.model.ProviderOptions;
import java.net.URI;
import java.util.Optional;

/**
 * The part of an upstream's configuration that only its provider understands, read and validated by that provider's
 * reader (field paths in every error, like the rest of the file). Providers without such a part have no reader.
 */
interface ProviderOptionsReader {

    /** The upstream field that holds the options, e.g. {@code mock}. */
    String field();

    /** Reads {@code options} (which may be absent: then the provider's defaults). */
    ProviderOptions read(ConfigNode options);

    /** The {@code base_url} of an upstream that names none; empty when the field is required. */
    Optional<URI> defaultBaseUrl();
}
