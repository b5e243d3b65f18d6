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
            var watch = watchdog.start(new ExchangeLimits(Duration.ofMillis(20), Duration.ofSeconds(5),
                    Duration.ofSeconds(5), Duration.ofSeconds(30)));
            var aborted = abortOf(watch);

            assertEndedBy(watch, aborted, WatchEnd.CONNECT_TIMEOUT);
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
            var watch = watchdog.start(new ExchangeLimits(SHORT, LONG, LONG, Duration.ofSeconds(60)));
            var aborted = abortOf(watch);

            assertEndedBy(watch, aborted, WatchEnd.CONNECT_TIMEOUT);
        }
    }

    @Test
    void aFirstOutputLimitShorterThanTheConnectLimitPassesOnTime() throws InterruptedException {
        try (var watchdog = new Watchdog()) {
            var watch = watchdog.start(new ExchangeLimits(LONG, SHORT, LONG, Duration.ofSeconds(60)));
            var aborted = abortOf(watch);
            watch.connected();
            watch.requestSending();

            assertEndedBy(watch, aborted, WatchEnd.FIRST_OUTPUT_TIMEOUT);
        }
    }

    @Test
    void anIdleLimitShorterThanTheOthersPassesOnTime() throws InterruptedException {
        try (var watchdog = new Watchdog()) {
            var watch = receiving(watchdog, new ExchangeLimits(LONG, LONG, SHORT, Duration.ofSeconds(60)));
            var aborted = abortOf(watch);
            watch.readStarted();

            assertEndedBy(watch, aborted, WatchEnd.IDLE_TIMEOUT);
        }
    }

    @Test
    void aShortenedDeadlinePassesOnTime() throws InterruptedException {
        try (var watchdog = new Watchdog()) {
            var watch = receiving(watchdog, LONG_LIMITS);
            var aborted = abortOf(watch);
            watch.shortenDeadline(SHORT.toNanos());

            assertEndedBy(watch, aborted, WatchEnd.DEADLINE);
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

    private static CountDownLatch abortOf(Watch watch) {
        var aborted = new CountDownLatch(1);
        watch.onAbort(aborted::countDown);
        return aborted;
    }

    /** Within 5 s, where the limits under test are 20-50 ms and the others 30 s: it passed on time, not at 30 s. */
    private static void assertEndedBy(Watch watch, CountDownLatch aborted, WatchEnd expected)
            throws InterruptedException {
        assertThat(aborted.await(5, TimeUnit.SECONDS)).as("aborted").isTrue();
        assertThat(watch.ending()).isEqualTo(expected);
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
