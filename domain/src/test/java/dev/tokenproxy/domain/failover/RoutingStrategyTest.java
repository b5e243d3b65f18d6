package dev.tokenproxy.domain.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingStrategyTest {

    @Test
    void fillFirstKeepsTheGivenOrder() {
        assertThat(RoutingStrategy.FILL_FIRST.order(List.of("a", "b", "c"), 1)).containsExactly("a", "b", "c");
    }

    @Test
    void roundRobinStartsAtTheCursorAndWrapsAround() {
        assertThat(RoutingStrategy.ROUND_ROBIN.order(List.of("a", "b", "c", "d"), 2))
                .containsExactly("c", "d", "a", "b");
        assertThat(RoutingStrategy.ROUND_ROBIN.order(List.of("a", "b", "c", "d"), 6))
                .containsExactly("c", "d", "a", "b");
    }

    @Test
    void roundRobinTakesANegativeCursorModuloTheSize() {
        assertThat(RoutingStrategy.ROUND_ROBIN.order(List.of("a", "b", "c"), -2)).containsExactly("b", "c", "a");
    }

    @Test
    void roundRobinLeavesTheInputListUntouched() {
        var items = List.of("a", "b", "c");

        RoutingStrategy.ROUND_ROBIN.order(items, 1);

        assertThat(items).containsExactly("a", "b", "c");
    }

    @Test
    void roundRobinOfZeroOrOneItemsIsThatList() {
        assertThat(RoutingStrategy.ROUND_ROBIN.order(List.of(), 5)).isEmpty();
        assertThat(RoutingStrategy.ROUND_ROBIN.order(List.of("only"), 5)).containsExactly("only");
    }
}
