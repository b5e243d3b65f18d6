package dev.tokenproxy.examples.it.broken;

import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.domain.routing.InboundFormat;

/** A plug-in that declares itself fine but cannot build its port: the gateway must refuse to start, naming it. */
public final class BrokenFactoryPlugin implements ProviderPlugin {

    @Override
    public ProviderDescriptor descriptor() {
        return ProviderDescriptor.nativeOnly("broken", InboundFormat.CHAT);
    }

    @Override
    public SendAttemptPort create(ProviderContext context) {
        throw new IllegalStateException("model file /opt/broken/weights.bin is missing");
    }
}
