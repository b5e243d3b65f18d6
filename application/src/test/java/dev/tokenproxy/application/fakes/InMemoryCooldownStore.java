package dev.tokenproxy.application.fakes;

import dev.tokenproxy.application.port.out.CooldownStorePort;
import dev.tokenproxy.domain.cooldown.CooldownState;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Cooldowns in a plain map; it never forgets an entry unless it is cleared. */
public final class InMemoryCooldownStore implements CooldownStorePort {

    private final Map<CredentialKey, CooldownState> states = new LinkedHashMap<>();

    @Override
    public Optional<CooldownState> find(CredentialKey key) {
        return Optional.ofNullable(states.get(key));
    }

    @Override
    public void save(CredentialKey key, CooldownState state) {
        states.put(key, state);
    }

    @Override
    public void clear(CredentialKey key) {
        states.remove(key);
    }

    @Override
    public Map<CredentialKey, CooldownState> all() {
        return Map.copyOf(states);
    }
}
