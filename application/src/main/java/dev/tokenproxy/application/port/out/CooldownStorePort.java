package dev.tokenproxy.application.port.out;

import dev.tokenproxy.domain.cooldown.CooldownState;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.util.Map;
import java.util.Optional;

/** Where credential cooldowns live (in memory by default). Entries may be forgotten once they no longer matter. */
public interface CooldownStorePort {

    Optional<CooldownState> find(CredentialKey key);

    void save(CredentialKey key, CooldownState state);

    void clear(CredentialKey key);

    /** Every remembered state, including expired ones still kept for doubling. */
    Map<CredentialKey, CooldownState> all();
}
