package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tokenproxy.adapter.out.metrics.CredentialGauges;
import dev.tokenproxy.adapter.out.metrics.MicrometerGatewayMetrics;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.CredentialStatusUseCase;
import dev.tokenproxy.application.port.out.GatewayMetricsPort;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Metrics (docs/metrics.md): one Prometheus registry that the record stream counts into and {@code GET /metrics}
 * scrapes, with gauges over the credentials' state. Empty when {@code metrics.enabled} is false.
 */
final class MetricsModule extends AbstractModule {

    @Provides
    @Singleton
    Optional<PrometheusMeterRegistry> registry(GatewayConfig config, UpstreamCatalog catalog,
                                               CredentialStatusUseCase credentials) {
        return config.metrics().enabled() ? Optional.of(withGauges(catalog, credentials)) : Optional.empty();
    }

    @Provides
    @Singleton
    GatewayMetricsPort metrics(Optional<PrometheusMeterRegistry> registry, UpstreamCatalog catalog) {
        var configuredModels = catalog.upstreams().stream().flatMap(u -> u.models().stream())
                .collect(Collectors.toUnmodifiableSet());
        return registry.<GatewayMetricsPort>map(r -> new MicrometerGatewayMetrics(r, configuredModels))
                .orElse(GatewayMetricsPort.NONE);
    }

    private static PrometheusMeterRegistry withGauges(UpstreamCatalog catalog, CredentialStatusUseCase credentials) {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CredentialGauges.register(registry,
                catalog.upstreams().stream().map(Upstream::id).collect(Collectors.toUnmodifiableSet()),
                upstream -> (int) credentials.cooldowns().stream()
                        .filter(cooling -> cooling.key().upstreamId().equals(upstream)).count(),
                () -> (int) credentials.accounts().stream()
                        .filter(CredentialStatusUseCase.AccountStatusView::needsLogin).count());
        return registry;
    }
}
