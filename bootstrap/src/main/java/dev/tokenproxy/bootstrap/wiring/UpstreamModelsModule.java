package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import dev.tokenproxy.application.port.out.KnownUpstreamModelsPort;

/** What upstreams say they serve, for {@code GET /v1/models}. */
final class UpstreamModelsModule extends AbstractModule {

    @Override
    protected void configure() {
        bind(KnownUpstreamModelsPort.class).toInstance(KnownUpstreamModelsPort.NOTHING);
    }
}
