package dev.tokenproxy.domain.failover;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Orders candidate upstreams (behaviour §4.2): priority groups highest first; within a group the routing
 * strategy's order; upstreams whose credentials are all cooling move behind the ready ones of their group,
 * earliest recovery first, and stay in the list so they are still tried.
 */
public final class UpstreamOrdering {

    private UpstreamOrdering() {
    }

    /**
     * @param candidates in configuration order
     * @param priority   a candidate's priority (higher first)
     * @param coolingUntil when a candidate recovers, or empty when it is ready
     * @param cursorOf   the round-robin cursor drawn for a priority group in this request
     */
    public static <U> List<U> order(List<U> candidates, Function<U, Integer> priority,
                                    RoutingStrategy strategy, Function<Integer, Long> cursorOf,
                                    Function<U, Optional<Instant>> coolingUntil) {
        var groups = new TreeMap<Integer, List<U>>(Comparator.reverseOrder());
        for (U u : candidates) {
            groups.computeIfAbsent(priority.apply(u), p -> new ArrayList<>()).add(u);
        }
        var ordered = new ArrayList<U>(candidates.size());
        groups.forEach((prio, group) -> {
            var rotated = strategy.order(group, strategy == RoutingStrategy.ROUND_ROBIN ? cursorOf.apply(prio) : 0);
            var cooling = new ArrayList<U>();
            for (U u : rotated) {
                if (coolingUntil.apply(u).isPresent()) {
                    cooling.add(u);
                } else {
                    ordered.add(u);
                }
            }
            cooling.sort(Comparator.comparing(u -> coolingUntil.apply(u).orElseThrow()));
            ordered.addAll(cooling);
        });
        return ordered;
    }
}
