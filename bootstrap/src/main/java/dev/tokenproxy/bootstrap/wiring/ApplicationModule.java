package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.ListModelsUseCase;
import dev.tokenproxy.application.port.out.AccountStorePort;
import dev.tokenproxy.application.port.out.CooldownStorePort;
import dev.tokenproxy.application.port.out.KnownUpstreamModelsPort;
import dev.tokenproxy.application.port.out.TokenRefreshPort;
import dev.tokenproxy.application.service.AccountSessions;
import dev.tokenproxy.application.service.CredentialPools;
import dev.tokenproxy.application.service.UsageBook;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.service.CooldownBook;
import dev.tokenproxy.application.service.ForwardRequestService;
import dev.tokenproxy.application.service.ListModelsService;
import dev.tokenproxy.application.service.RecordSink;
import dev.tokenproxy.adapter.out.upstream.usage.UsageReadingPort;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import java.time.Clock;
import java.util.List;
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
    CredentialPools credentialPools(AccountStorePort accounts, CooldownBook cooldowns, UsageBook usage, Clock clock) {
        return new CredentialPools(accounts, cooldowns, usage, clock);
    }

    @Provides
    @Singleton
    AccountSessions accountSessions(AccountStorePort accounts, List<TokenRefreshPort> refreshers, Clock clock) {
        return new AccountSessions(accounts, refreshers, clock);
    }

    @Provides
    @Singleton
    ForwardRequestUseCase forwardRequest(UpstreamCatalog catalog, Map<String, SendAttemptPort> clientsByProvider,
                                         CooldownBook cooldowns, CredentialPools pools, AccountSessions sessions,
                                         GatewaySettings settings, Clock clock, RecordSink records) {
        // Every provider's answers go through one usage reader, so that records hold tokens whatever the provider.
        var reading = new java.util.LinkedHashMap<String, SendAttemptPort>();
        clientsByProvider.forEach((name, port) -> reading.put(name, UsageReadingPort.around(port)));
        return new ForwardRequestService(catalog, reading, cooldowns, pools, sessions, settings, clock, records);
    }

    @Provides
    @Singleton
    ListModelsUseCase listModels(UpstreamCatalog catalog, KnownUpstreamModelsPort upstreamModels) {
        return new ListModelsService(catalog, upstreamModels);
    }
}
