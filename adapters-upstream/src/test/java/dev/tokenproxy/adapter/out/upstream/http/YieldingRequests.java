package dev.tokenproxy.adapter.out.upstream.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Run in a JVM of its own by {@link WakeupHeartbeatTest}: eight virtual threads stand for requests under load (a little
 * work, then a yield while the heartbeat is on time, else a short park as a read that finds no answer yet), and one
 * thread sleeps 1 ms at a time, 200 times, woken each time by the JDK's timer from outside the carriers. Prints how late
 * its worst wake-up was, in milliseconds.
 */
final class YieldingRequests {

    private YieldingRequests() {
    }

    public static void main(String[] args) throws InterruptedException {
        var heartbeat = new WakeupHeartbeat();
        for (int i = 0; i < 8; i++) {
            Thread.ofVirtual().start(() -> {
                while (true) {
                    long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(20);
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    if (heartbeat.onTime()) {
                        Thread.yield();
                    } else {
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                    }
                }
            });
        }
        long[] worst = new long[1];
        Thread sleeper = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 40; i++) {
                long start = System.nanoTime();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                worst[0] = Math.max(worst[0], System.nanoTime() - start - TimeUnit.MILLISECONDS.toNanos(1));
            }
        });
        sleeper.join();
        System.out.println("worst wake-up late by ms " + TimeUnit.NANOSECONDS.toMillis(worst[0]));
        System.exit(0);
    }
}
