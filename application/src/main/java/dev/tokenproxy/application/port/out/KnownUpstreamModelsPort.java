package dev.tokenproxy.application.port.out;

import dev.tokenproxy.application.model.Upstream;
import java.util.List;

/**
 * What is known now of the models an upstream says it serves. Answers at once from what was fetched before and
 * never waits for the upstream: empty before the first fetch has finished, and for an upstream that cannot tell
 * (no listing endpoint, a listing that fails). Keeping the knowledge fresh is the implementation's business.
 */
@FunctionalInterface
public interface KnownUpstreamModelsPort {

    /** Knows nothing about any upstream: for a gateway or a test that lists configured names only. */
    KnownUpstreamModelsPort NOTHING = upstream -> List.of();

    List<String> knownModels(Upstream upstream);
}
