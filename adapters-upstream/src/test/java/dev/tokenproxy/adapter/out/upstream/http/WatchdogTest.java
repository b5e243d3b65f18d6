package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchdogTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration SHORT = Duration.ofMillis(50);
    private static final ExchangeLimits LONG_LIMITS = new ExchangeLimits(LONG, LONG, LONG, Duration.ofSeconds(60));

    @Test
    void aLimitThatPassesAbortsTheExchange() throws InterruptedException {
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
    void theCheckIsScheduledForTheEarliestLimitNotForAFixedTick() {
        try (var watchdog = new Watchdog()) {
            long before = Watchdog.now();
            watchdog.start(new ExchangeLimits(Duration.ofSeconds(5), LONG, LONG, Duration.ofSeconds(60)));

            assertThat(watchdog.nextCheckAt() - before)
                    .isBetween(Duration.ofSeconds(5).toNanos(), Duration.ofSeconds(6).toNanos());

            watchdog.start(new ExchangeLimits(Duration.ofSeconds(1), LONG, LONG, Duration.ofSeconds(60)));
            assertThat(watchdog.nextCheckAt() - before).as("a shorter limit brings the check forward")
                    .isBetween(Duration.ofSeconds(1).toNanos(), Duration.ofSeconds(2).toNanos());
            assertThat(watchdog.checksScheduled()).isEqualTo(2);
        }
    }

    @Test
    void readsThatMoveTheIdleLimitForwardScheduleNothing() {
        try (var watchdog = new Watchdog()) {
            var watch = receiving(watchdog, LONG_LIMITS);
            long scheduled = watchdog.checksScheduled();

            for (int i = 0; i < 1_000; i++) {
                watch.readStarted();
                watch.readEnded();
            }

            assertThat(watchdog.checksScheduled()).isEqualTo(scheduled);
        }
    }

    @Test
    void aShortLimitOfAnExchangeThatStartsLaterStillPassesOnTime() throws InterruptedException {
        try (var watchdog = new Watchdog()) {
            watchdog.start(LONG_LIMITS);
            var aborted = new CountDownLatch(1);
            var watch = watchdog.start(new ExchangeLimits(SHORT, LONG, LONG, Duration.ofSeconds(60)));
            watch.onAbort(aborted::countDown);

            assertThat(aborted.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(watch.ending()).isEqualTo(WatchEnd.CONNECT_TIMEOUT);
        }
    }

    @Test
    void aFirstOutputLimitShorterThanTheConnectLimitPassesOnTime() throws InterruptedException {
        try (var watchdog = new Watchdog()) {
            var aborted = new CountDownLatch(1);
            var watch = watchdog.start(new ExchangeLimits(LONG, SHORT, LONG, Duration.ofSeconds(60)));
            watch.onAbort(aborted::countDown);
            watch.connected();
            watch.requestSending();

            assertThat(aborted.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(watch.ending()).isEqualTo(WatchEnd.FIRST_OUTPUT_TIMEOUT);
        }
    }

    @Test
    void anIdleLimitShorterThanTheOthersPassesOnTime() throws InterruptedException {
        try (var watchdog = new Watchdog()) {
            var aborted = new CountDownLatch(1);
            var watch = receiving(watchdog, new ExchangeLimits(LONG, LONG, SHORT, Duration.ofSeconds(60)));
            watch.onAbort(aborted::countDown);
            watch.readStarted();

            assertThat(aborted.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(watch.ending()).isEqualTo(WatchEnd.IDLE_TIMEOUT);
        }
    }

    @Test
    void aShortenedDeadlinePassesOnTime() throws InterruptedException {
        try (var watchdog = new Watchdog()) {
            var aborted = new CountDownLatch(1);
            var watch = receiving(watchdog, LONG_LIMITS);
            watch.onAbort(aborted::countDown);
            watch.shortenDeadline(SHORT.toNanos());

            assertThat(aborted.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(watch.ending()).isEqualTo(WatchEnd.DEADLINE);
        }
    }

    @Test
    void schedulesNothingOnceNoExchangeIsActive() {
        try (var watchdog = new Watchdog()) {
            assertThat(watchdog.ticking()).isFalse();
            var limits = new ExchangeLimits(SHORT, SHORT, SHORT, Duration.ofSeconds(60));
            var first = watchdog.start(limits);
            var second = watchdog.start(limits);
            assertThat(watchdog.ticking()).isTrue();

            first.end(WatchEnd.RELEASED);
            second.end(WatchEnd.RELEASED);

            // The check scheduled for their limits runs once, finds nothing and schedules no other.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (watchdog.ticking() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(watchdog.ticking()).isFalse();
            assertThat(second.ending()).isEqualTo(WatchEnd.RELEASED);
        }
    }

    @Test
    void limitsOfCenturiesNeitherOverflowNorExpire() {
        try (var watchdog = new Watchdog()) {
            var forever = Duration.ofDays(365L * 1_000);
            var watch = watchdog.start(new ExchangeLimits(forever, forever, forever, forever));

            assertThat(watch.nextExpiry()).isEqualTo(Watchdog.NONE);
            watch.check(Watchdog.now());
            assertThat(watch.ending()).isNull();
        }
    }

    /** A watch whose response has started and whose first output was seen: only idle and deadline apply. */
    private static Watch receiving(Watchdog watchdog, ExchangeLimits limits) {
        var watch = watchdog.start(limits);
        watch.connected();
        watch.requestSending();
        watch.responseStarted();
        watch.outputSeen();
        return watch;
    }
}
