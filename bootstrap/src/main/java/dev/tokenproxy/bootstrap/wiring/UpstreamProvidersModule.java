package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import dev.tokenproxy.application.port.out.SendAttemptPort;

/** One {@link SendAttemptPort} per provider kind, keyed by the provider name used in configuration. */
final class UpstreamProvidersModule extends AbstractModule {

    @Override
    protected void configure() {
        var providers = MapBinder.newMapBinder(binder(), String.class, SendAttemptPort.class);
        // TODO(lead): bind the openai adapter once it lands.
    }
}
