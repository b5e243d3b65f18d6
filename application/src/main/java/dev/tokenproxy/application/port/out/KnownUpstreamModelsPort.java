package dev.tokenproxy.application.port.out;

import dev.tokenproxy.application.model.Upstream;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What is known now of the models upstreams say they serve. Answers from what was fetched before and does not wait
 * for upstreams to answer (an implementation may wait briefly, once, for its very first fetches). Nothing is known
 * before a first fetch has finished, nor of an upstream that cannot tell (no listing endpoint, a listing that
 * fails). Keeping the knowledge fresh is the implementation's business.
 */
@FunctionalInterface
public interface KnownUpstreamModelsPort {

    /** Knows nothing about any upstream: for a gateway or a test that lists configured names only. */
    KnownUpstreamModelsPort NOTHING = upstreams -> Map.of();

    /** The model ids each of {@code upstreams} says it serves, by upstream id; an upstream not known of is absent. */
    Map<String, List<String>> knownModels(Collection<Upstream> upstreams);
}
