package dev.tokenproxy.domain.failover;

import java.util.List;

/** Order of equal-ranked choices: upstreams within a priority group, or credentials within a pool. */
public enum RoutingStrategy {
    /** Configuration (or store) order: the first entry takes all traffic while it is healthy. */
    FILL_FIRST,
    /** The start rotates by one per request, spreading load. */
    ROUND_ROBIN;

    /** {@code items} in this strategy's order for the request that drew {@code cursor}. */
    public <T> List<T> order(List<T> items, long cursor) {
        if (this == FILL_FIRST || items.size() < 2) {
            return items;
        }
        int start = (int) Math.floorMod(cursor, (long) items.size());
        var rotated = new java.util.ArrayList<T>(items.size());
        rotated.addAll(items.subList(start, items.size()));
        rotated.addAll(items.subList(0, start));
        return rotated;
    }
}
