package dev.tokenproxy.bootstrap.wiring;

import dev.tokenproxy.application.port.in.ReportUsageUseCase;
import dev.tokenproxy.application.spi.ProviderContext;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What the gateway lends every provider's factory; {@code shared} holds the built-ins' pooled HTTP client. */
record GatewayProviderContext(Clock clock, ReportUsageUseCase usage, long maxUpstreamBodyBytes,
                              Map<Class<?>, Object> shared) implements ProviderContext {

    GatewayProviderContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(usage, "usage");
        shared = Map.copyOf(shared);
    }

    @Override
    public <T> Optional<T> shared(Class<T> type) {
        return Optional.ofNullable(shared.get(type)).map(type::cast);
    }
}
