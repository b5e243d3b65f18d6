package dev.tokenproxy.domain.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Behaviour §4.2: priority groups, the routing strategy within a group, cooling upstreams last. */
class UpstreamOrderingTest {

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    /** A candidate upstream: its id, its priority and when it recovers (null when ready). */
    record Up(String id, int priority, Instant coolingUntil) {
        static Up ready(String id, int priority) {
            return new Up(id, priority, null);
        }

        static Up cooling(String id, int priority, long secondsLeft) {
            return new Up(id, priority, NOW.plusSeconds(secondsLeft));
        }
    }

    private static List<String> order(List<Up> candidates, RoutingStrategy strategy,
                                      Function<Integer, Long> cursorOf) {
        return UpstreamOrdering.order(candidates, Up::priority, strategy, cursorOf,
                        u -> Optional.ofNullable(u.coolingUntil()))
                .stream().map(Up::id).toList();
    }

    private static List<String> fillFirst(List<Up> candidates) {
        return order(candidates, RoutingStrategy.FILL_FIRST, p -> 0L);
    }

    @Test
    void priorityGroupsComeHighestFirst() {
        var candidates = List.of(Up.ready("low", 0), Up.ready("high-1", 10), Up.ready("mid", 5),
                Up.ready("high-2", 10), Up.ready("negative", -3));

        assertThat(fillFirst(candidates)).containsExactly("high-1", "high-2", "mid", "low", "negative");
    }

    @Test
    void fillFirstKeepsConfigOrderWithinAGroupWhateverTheCursor() {
        var candidates = List.of(Up.ready("a", 1), Up.ready("b", 1), Up.ready("c", 1));

        assertThat(order(candidates, RoutingStrategy.FILL_FIRST, p -> 2L)).containsExactly("a", "b", "c");
    }

    @ParameterizedTest
    @CsvSource({
            "0, a b c",
            "1, b c a",
            "2, c a b",
            "3, a b c",
            "-1, c a b",
            "9223372036854775807, b c a"})
    void roundRobinRotatesTheStartOfAGroupByItsCursor(long cursor, String expected) {
        var candidates = List.of(Up.ready("a", 1), Up.ready("b", 1), Up.ready("c", 1));

        assertThat(order(candidates, RoutingStrategy.ROUND_ROBIN, p -> cursor))
                .containsExactly(expected.split(" "));
    }

    @Test
    void roundRobinUsesOneCursorPerGroupAndNeverMixesGroups() {
        var candidates = List.of(Up.ready("h1", 10), Up.ready("l1", 0), Up.ready("h2", 10),
                Up.ready("l2", 0), Up.ready("h3", 10), Up.ready("l3", 0));
        var cursors = Map.of(10, 1L, 0, 2L);

        assertThat(order(candidates, RoutingStrategy.ROUND_ROBIN, cursors::get))
                .containsExactly("h2", "h3", "h1", "l3", "l1", "l2");
    }

    @Test
    void roundRobinAsksForTheCursorOfEachGroupByItsPriority() {
        var asked = new ArrayList<Integer>();
        var candidates = List.of(Up.ready("a", 3), Up.ready("b", 7), Up.ready("c", 3));

        order(candidates, RoutingStrategy.ROUND_ROBIN, p -> {
            asked.add(p);
            return 0L;
        });

        assertThat(asked).containsExactlyInAnyOrder(7, 3);
    }

    @Test
    void aCoolingUpstreamMovesBehindTheReadyOnesOfItsGroup() {
        var candidates = List.of(Up.cooling("a", 1, 10), Up.ready("b", 1), Up.ready("c", 1));

        assertThat(fillFirst(candidates)).containsExactly("b", "c", "a");
    }

    @Test
    void aCoolingUpstreamStaysAheadOfALowerPriorityGroup() {
        var candidates = List.of(Up.cooling("high-cooling", 10, 10), Up.ready("high-ready", 10), Up.ready("low", 0));

        assertThat(fillFirst(candidates)).containsExactly("high-ready", "high-cooling", "low");
    }

    @Test
    void severalCoolingUpstreamsAreSortedByEarliestRecovery() {
        var candidates = List.of(Up.cooling("late", 1, 300), Up.cooling("soon", 1, 5), Up.ready("ready", 1),
                Up.cooling("mid", 1, 30));

        assertThat(fillFirst(candidates)).containsExactly("ready", "soon", "mid", "late");
    }

    @Test
    void whenAllAreCoolingAllAreStillTriedEarliestRecoveryFirst() {
        var candidates = List.of(Up.cooling("a", 1, 20), Up.cooling("b", 1, 10), Up.cooling("c", 1, 30));

        assertThat(fillFirst(candidates)).containsExactly("b", "a", "c");
    }

    @Test
    void coolingUpstreamsWithTheSameRecoveryKeepTheStrategyOrder() {
        var candidates = List.of(Up.cooling("a", 1, 10), Up.cooling("b", 1, 10), Up.cooling("c", 1, 10));

        assertThat(order(candidates, RoutingStrategy.ROUND_ROBIN, p -> 1L)).containsExactly("b", "c", "a");
    }

    @Test
    void roundRobinRotatesFirstThenMovesCoolingOnesBack() {
        var candidates = List.of(Up.ready("a", 1), Up.cooling("b", 1, 10), Up.ready("c", 1));

        assertThat(order(candidates, RoutingStrategy.ROUND_ROBIN, p -> 1L)).containsExactly("c", "a", "b");
    }

    @Test
    void noCandidatesGiveAnEmptyOrder() {
        assertThat(fillFirst(List.of())).isEmpty();
    }
}
