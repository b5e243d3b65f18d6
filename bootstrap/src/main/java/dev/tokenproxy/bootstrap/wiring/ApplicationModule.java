package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.ListModelsUseCase;
import dev.tokenproxy.application.port.out.CooldownStorePort;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.service.CooldownBook;
import dev.tokenproxy.application.service.ForwardRequestService;
import dev.tokenproxy.application.service.ListModelsService;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import java.time.Clock;
import java.util.Map;

/** The use cases, built from the ports the adapter modules bind. */
final class ApplicationModule extends AbstractModule {

    @Provides
    @Singleton
    CooldownBook cooldownBook(CooldownStorePort store, CooldownPolicy policy, Clock clock) {
        return new CooldownBook(store, policy, clock);
    }

    @Provides
    @Singleton
    ForwardRequestUseCase forwardRequest(UpstreamCatalog catalog, Map<String, SendAttemptPort> clientsByProvider,
                                         CooldownBook cooldowns, GatewaySettings settings, Clock clock) {
        return new ForwardRequestService(catalog, clientsByProvider, cooldowns, settings, clock);
    }

    @Provides
    @Singleton
    ListModelsUseCase listModels(UpstreamCatalog catalog) {
        return new ListModelsService(catalog);
    }
}
