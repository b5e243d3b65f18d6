package dev.tokenproxy.adapter.out.metrics;

import java.util.Set;

/**
 * The model as a metric label: a name the configuration lists (an upstream's {@code models}), else {@code other}.
 * A client can send any model name; used as a label as is, each would be a new time series held for the life of
 * the process, so only the operator's own names become series.
 */
final class ModelLabel {

    static final String OTHER = "other";

    private final Set<String> configured;

    ModelLabel(Set<String> configured) {
        this.configured = Set.copyOf(configured);
    }

    String of(String requested) {
        return configured.contains(requested) ? requested : OTHER;
    }
}
