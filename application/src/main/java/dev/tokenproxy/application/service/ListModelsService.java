package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ListModelsUseCase;
import java.util.List;
import java.util.TreeSet;

/** The union of every enabled upstream's allow-listed models and concrete mapping keys. */
public final class ListModelsService implements ListModelsUseCase {

    private final UpstreamCatalog catalog;

    public ListModelsService(UpstreamCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<String> listModels() {
        var names = new TreeSet<String>();
        for (var u : catalog.enabled()) {
            names.addAll(u.models());
            // A mapping name the same upstream's allow-list refuses could never be served.
            u.modelMappings().concreteNames().stream().filter(u::admits).forEach(names::add);
        }
        return List.copyOf(names);
    }
}
