package dev.tokenproxy.adapter.out.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

/**
 * The state of upstream credentials as gauges, read when scraped: nothing to keep up to date on the request path.
 * Cooldowns are labelled by upstream (configured ids only); accounts needing a login are one number, since an
 * account may serve several upstreams.
 */
public final class CredentialGauges {

    private CredentialGauges() {
    }

    /**
     * @param upstreamIds          the configured upstreams, one series each
     * @param coolingOf            how many of an upstream's credentials are cooling now
     * @param accountsNeedingLogin how many stored accounts wait for a new login
     */
    public static void register(MeterRegistry registry, Set<String> upstreamIds, ToIntFunction<String> coolingOf,
                                IntSupplier accountsNeedingLogin) {
        for (String upstream : upstreamIds) {
            Gauge.builder("token_proxy.cooldowns.active", () -> coolingOf.applyAsInt(upstream))
                    .description("Credentials of the upstream that are cooling down now")
                    .tag("upstream", upstream)
                    .register(registry);
        }
        Gauge.builder("token_proxy.accounts.needing_login", accountsNeedingLogin::getAsInt)
                .description("Stored accounts whose refresh token was refused: they wait for a new login")
                .register(registry);
    }
}
