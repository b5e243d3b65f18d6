package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ListModelsUseCase;
import dev.tokenproxy.application.port.out.KnownUpstreamModelsPort;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The union, over the enabled upstreams, of the model ids each one can be asked for (behaviour §4.1: every listed
 * model is requestable): its allow-listed names, its concrete mapping keys and mapping targets that its allow-list
 * admits, and, when it accepts every model, what it says it serves.
 */
public final class ListModelsService implements ListModelsUseCase {

    private final UpstreamCatalog catalog;
    private final KnownUpstreamModelsPort upstreamModels;

    public ListModelsService(UpstreamCatalog catalog, KnownUpstreamModelsPort upstreamModels) {
        this.catalog = catalog;
        this.upstreamModels = upstreamModels;
    }

    @Override
    public List<String> listModels() {
        var enabled = catalog.enabled();
        // Only an upstream that accepts every model can be asked for whatever it lists; with an allow-list, the
        // allow-list is the whole truth. Asked all at once, so that their first fetches run side by side.
        var listed = upstreamModels.knownModels(enabled.stream().filter(u -> u.models().isEmpty()).toList());
        var ids = new TreeSet<String>();
        for (var upstream : enabled) {
            Stream.concat(configuredNamesOf(upstream), listed.getOrDefault(upstream.id(), List.of()).stream())
                    .filter(ListModelsService::isModelId)
                    .forEach(ids::add);
        }
        return List.copyOf(ids);
    }

    private static Stream<String> configuredNamesOf(Upstream upstream) {
        var mappings = upstream.modelMappings();
        // A mapping name the same upstream's allow-list refuses could never be served.
        var mapped = Stream.concat(mappings.concreteNames().stream(), mappings.targets().stream())
                .filter(upstream::admits);
        return Stream.concat(upstream.models().stream(), mapped);
    }

    /**
     * A name with {@code *} is a pattern, not a model a client can name: allow-lists match names exactly, so such an
     * entry admits only its own literal spelling, and mapping keys with {@code *} match families of names.
     */
    private static boolean isModelId(String name) {
        return name.indexOf('*') < 0;
    }
}
