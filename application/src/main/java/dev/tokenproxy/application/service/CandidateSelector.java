package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the upstreams that may serve a request: enabled, allowed for the client's key, able to serve the inbound
 * format, and admitting the model. A model written {@code upstream-id/model} routes to that upstream only;
 * other slashes (e.g. {@code meta-llama/Llama-3}) are part of the model name.
 */
final class CandidateSelector {

    private final UpstreamCatalog catalog;
    private final Map<String, SendAttemptPort> clientsByProvider;

    CandidateSelector(UpstreamCatalog catalog, Map<String, SendAttemptPort> clientsByProvider) {
        this.catalog = catalog;
        this.clientsByProvider = Map.copyOf(clientsByProvider);
    }

    CandidateSelection select(ForwardRequestCommand command) {
        var serving = new ArrayList<Upstream>();
        // The catalog's own list, not enabled(): that builds a new list, on every request (0.5% of one).
        for (var u : catalog.upstreams()) {
            var client = u.enabled() ? clientsByProvider.get(u.provider()) : null;
            if (client != null && serves(u, client.descriptor(), command.format()) && command.mayUse(u.id())) {
                serving.add(u);
            }
        }
        if (serving.isEmpty()) {
            return new CandidateSelection.NoUpstreamForFormat();
        }
        String model = command.model();
        int slash = model.indexOf('/');
        if (slash > 0) {
            String routedId = model.substring(0, slash);
            for (var u : serving) {
                if (u.id().equals(routedId)) {
                    return only(u, model.substring(slash + 1));
                }
            }
            // Named, but not usable for this request (disabled, out of the key's scope, other format):
            // "routes to that upstream only", so no other upstream may receive it.
            if (catalog.upstreams().stream().anyMatch(u -> u.id().equals(routedId))) {
                return new CandidateSelection.ModelNotSupported();
            }
        }
        var candidates = new ArrayList<Candidate>();
        for (var u : serving) {
            if (u.admits(model)) {
                candidates.add(candidate(u, model));
            }
        }
        return candidates.isEmpty()
                ? new CandidateSelection.ModelNotSupported()
                : new CandidateSelection.Candidates(candidates);
    }

    /** Whether {@code upstream}, of {@code provider}, may serve a request in {@code format}. */
    private static boolean serves(Upstream upstream, ProviderDescriptor provider, InboundFormat format) {
        return switch (provider.support(format)) {
            case NATIVE -> true;
            // A conversion changes what the client gets back, so it needs the upstream's consent (allow_conversion).
            case BY_CONVERSION -> upstream.allowsConversion();
            case NONE -> false;
        };
    }

    private CandidateSelection only(Upstream upstream, String model) {
        if (model.isEmpty() || !upstream.admits(model)) {
            return new CandidateSelection.ModelNotSupported();
        }
        return new CandidateSelection.Candidates(List.of(candidate(upstream, model)));
    }

    private Candidate candidate(Upstream upstream, String model) {
        return new Candidate(upstream, clientsByProvider.get(upstream.provider()), upstream.modelMappings().map(model));
    }
}
