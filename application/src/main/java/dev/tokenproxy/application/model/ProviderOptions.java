package dev.tokenproxy.application.model;

/**
 * Settings of an upstream that only its provider's adapter reads (the {@code mock} provider's scripted faults, say).
 * The core carries them from configuration to the adapter without looking inside, so a provider can have options
 * without the core learning about that provider.
 */
public interface ProviderOptions {

    /** An upstream whose provider has no options of its own. */
    ProviderOptions NONE = new None();

    /** The options of a provider that has none. */
    record None() implements ProviderOptions {
    }
}
