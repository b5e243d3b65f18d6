package dev.tokenproxy.adapter.in.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} in the Prometheus text format (docs/metrics.md), written by Micrometer's registry. Guarded like
 * the admin API: the series name every upstream and how much each was used, which is the operator's business.
 */
final class MetricsEndpoint implements HttpService {

    /** The content type of the Prometheus text exposition format 0.0.4, which every scraper reads. */
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final AdminAccess access;

    MetricsEndpoint(PrometheusMeterRegistry registry, LocalApiKeys keys) {
        this.registry = registry;
        this.access = new AdminAccess(keys);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", this::scrape);
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        var refusal = access.refusal(req);
        if (refusal.isPresent()) {
            refusal.get().send(res);
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, TEXT_FORMAT);
        res.send(registry.scrape().getBytes(StandardCharsets.UTF_8));
    }
}
