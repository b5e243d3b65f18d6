package dev.tokenproxy.examples.it.thrower;

import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.application.spi.ProviderPlugin;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;

/**
 * A plug-in with a bug: every attempt throws, with the attempt's key in the message (as careless code does). Packaged
 * by the test into a jar of its own for the gateway's plugins_dir; the gateway must contain it and never log the key.
 */
public final class ThrowingPlugin implements ProviderPlugin {

    static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.nativeOnly("thrower", InboundFormat.CHAT);

    @Override
    public ProviderDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public SendAttemptPort create(ProviderContext context) {
        return new SendAttemptPort() {
            @Override
            public ProviderDescriptor descriptor() {
                return DESCRIPTOR;
            }

            @Override
            public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
                throw new IllegalStateException("cannot use key " + request.credential().secret().reveal());
            }
        };
    }
}
