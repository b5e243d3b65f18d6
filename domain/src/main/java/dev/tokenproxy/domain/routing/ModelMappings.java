package dev.tokenproxy.domain.routing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An upstream's model renames (behaviour §4.1): an exact key wins, then the longest {@code prefix*} key,
 * then {@code *}. Mappings only rename; they never decide whether an upstream serves a model.
 */
public final class ModelMappings {

    /** No renames: every model is sent as requested. */
    public static final ModelMappings NONE = new ModelMappings(Map.of());

    private final Map<String, String> mappings;

    /**
     * Mappings from requested names (exact, {@code prefix*} or {@code *}) to the names sent upstream.
     *
     * @throws IllegalArgumentException for an empty key or value, or a {@code *} anywhere but at a key's end
     */
    public ModelMappings(Map<String, String> mappings) {
        this.mappings = new LinkedHashMap<>(mappings);
        this.mappings.forEach((from, to) -> {
            if (from.isEmpty() || to.isEmpty()) {
                throw new IllegalArgumentException("model mapping keys and values must not be empty");
            }
            if (from.indexOf('*') >= 0 && from.indexOf('*') != from.length() - 1) {
                throw new IllegalArgumentException("'*' is only allowed at the end of a mapping key: " + from);
            }
        });
    }

    /** The model name to send upstream for {@code requested}. */
    public String map(String requested) {
        return find(requested).orElse(requested);
    }

    /** The mapping target for {@code requested}, if any key matches. */
    public Optional<String> find(String requested) {
        String exact = mappings.get(requested);
        if (exact != null) {
            return Optional.of(exact);
        }
        String best = null;
        int bestLength = -1;
        for (var e : mappings.entrySet()) {
            String key = e.getKey();
            if (key.endsWith("*")) {
                String prefix = key.substring(0, key.length() - 1);
                if (requested.startsWith(prefix) && prefix.length() > bestLength) {
                    best = e.getValue();
                    bestLength = prefix.length();
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** The mapping keys that name concrete models (no wildcard), for model listings. */
    public java.util.List<String> concreteNames() {
        return mappings.keySet().stream().filter(k -> !k.endsWith("*")).toList();
    }

    /** The names requests are renamed to: the models the upstream actually serves, for model listings. */
    public java.util.List<String> targets() {
        return mappings.values().stream().distinct().toList();
    }
}
