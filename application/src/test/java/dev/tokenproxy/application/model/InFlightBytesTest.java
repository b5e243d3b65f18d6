package dev.tokenproxy.application.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightBytesTest {

    @Test
    void refusesAReservationThatDoesNotFitAndAdmitsItOnceBytesAreReleased() {
        var budget = new InFlightBytes(100);

        assertThat(budget.tryReserve(60)).isTrue();
        assertThat(budget.tryReserve(41)).isFalse();
        assertThat(budget.tryReserve(40)).isTrue();
        budget.release(60);

        assertThat(budget.tryReserve(41)).isTrue();
        assertThat(budget.used()).isEqualTo(81);
    }

    @Test
    void concurrentReservationsNeverOvershootTheCapacity() throws Exception {
        var budget = new InFlightBytes(1_000);
        var admitted = new AtomicInteger();
        var start = new CountDownLatch(1);
        try (var threads = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                threads.submit(() -> {
                    start.await();
                    for (int j = 0; j < 1_000; j++) {
                        if (budget.tryReserve(7)) {
                            admitted.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            start.countDown();
        }
        assertThat(admitted.get()).isEqualTo(1_000 / 7);
        assertThat(budget.used()).isEqualTo(7L * (1_000 / 7));
    }
}
