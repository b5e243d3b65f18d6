package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchdogTest {

    private static final ExchangeLimits LIMITS = new ExchangeLimits(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(30));

    @Test
    void aLimitThatPassesAbortsTheExchangeOnTheNextTick() throws InterruptedException {
        try (var watchdog = new Watchdog()) {
            var aborted = new CountDownLatch(1);
            var watch = watchdog.start(new ExchangeLimits(Duration.ofMillis(20), Duration.ofSeconds(5),
                    Duration.ofSeconds(5), Duration.ofSeconds(30)));
            watch.onAbort(aborted::countDown);

            assertThat(aborted.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(watch.ending()).isEqualTo(WatchEnd.CONNECT_TIMEOUT);
        }
    }

    @Test
    void ticksOnlyWhileAnExchangeIsActive() throws InterruptedException {
        try (var watchdog = new Watchdog()) {
            assertThat(watchdog.ticking()).isFalse();
            var first = watchdog.start(LIMITS);
            var second = watchdog.start(LIMITS);
            assertThat(watchdog.ticking()).isTrue();

            first.end(WatchEnd.RELEASED);
            assertThat(watchdog.ticking()).as("one exchange is still active").isTrue();
            second.end(WatchEnd.RELEASED);

            // The tick pending when the last exchange ended runs once more, finds nothing and schedules no other.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (watchdog.ticking() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(watchdog.ticking()).isFalse();
            assertThat(second.ending()).isEqualTo(WatchEnd.RELEASED);
        }
    }
}
