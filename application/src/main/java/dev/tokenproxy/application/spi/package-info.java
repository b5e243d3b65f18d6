/**
 * The service-provider interface for upstream providers: what a provider packaged in its own jar implements so that
 * the gateway finds it at start ({@link dev.tokenproxy.application.spi.ProviderPlugin}), what it may read of its
 * upstreams' configuration ({@link dev.tokenproxy.application.spi.ProviderConfigSection},
 * {@link dev.tokenproxy.application.spi.OptionsNode}) and what the gateway lends it
 * ({@link dev.tokenproxy.application.spi.ProviderContext}). Built-in providers implement it too.
 * docs/adding-a-provider.md walks through writing one.
 */
package dev.tokenproxy.application.spi;
