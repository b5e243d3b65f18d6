package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tokenproxy.adapter.out.cooldown.CaffeineCooldownStore;
import dev.tokenproxy.application.port.out.CooldownStorePort;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;

/** Cooldowns in memory (Caffeine). */
final class CooldownStoreModule extends AbstractModule {

    @Provides
    @Singleton
    CooldownStorePort cooldownStore(CooldownPolicy policy) {
        return CaffeineCooldownStore.systemTime(policy.memory());
    }
}
