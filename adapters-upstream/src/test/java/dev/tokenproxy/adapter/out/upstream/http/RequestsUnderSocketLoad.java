package dev.tokenproxy.adapter.out.upstream.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in a JVM of its own by {@link WakeupHeartbeatTest}, with one carrier or two: 64 virtual threads stand for
 * requests under load, each sending a small message over loopback to an echo thread, taking the heartbeat's turn and
 * reading the answer, again and again (so the JDK's read poller always finds a socket ready); one more thread sleeps
 * 10 ms twenty times, woken each time by the JDK's timer from outside the carriers. Prints the round trips made while
 * it slept and its worst lateness in milliseconds.
 */
final class RequestsUnderSocketLoad {

    private static final int REQUESTS = 64;

    private RequestsUnderSocketLoad() {
    }

    public static void main(String[] args) throws Exception {
        var heartbeat = new WakeupHeartbeat();
        var server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        var stop = new AtomicBoolean();
        var roundTrips = new AtomicLong();
        Thread.ofVirtual().start(() -> acceptEchoing(server));
        for (int i = 0; i < REQUESTS; i++) {
            var client = SocketChannel.open(server.getLocalAddress());
            Thread.ofVirtual().start(() -> exchange(client, heartbeat, stop, roundTrips));
        }
        long[] worstLate = new long[1];
        long[] roundTripsWhileAsleep = new long[1];
        Thread sleeper = Thread.ofVirtual().start(() -> {
            long before = roundTrips.get();
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
                worstLate[0] = Math.max(worstLate[0], System.nanoTime() - start - TimeUnit.MILLISECONDS.toNanos(10));
            }
            roundTripsWhileAsleep[0] = roundTrips.get() - before;
            stop.set(true);
        });
        sleeper.join();
        System.out.println("round trips while asleep " + roundTripsWhileAsleep[0] + ", worst wake-up late by ms "
                + TimeUnit.NANOSECONDS.toMillis(worstLate[0]));
        System.exit(0);
    }

    private static void acceptEchoing(ServerSocketChannel server) {
        try {
            while (true) {
                SocketChannel accepted = server.accept();
                Thread.ofVirtual().start(() -> echo(accepted));
            }
        } catch (IOException closed) {
            // The process is ending.
        }
    }

    private static void echo(SocketChannel channel) {
        var buffer = ByteBuffer.allocate(100);
        try (channel) {
            while (true) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer) < 0) {
                        return;
                    }
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException closed) {
            // The process is ending.
        }
    }

    private static void exchange(SocketChannel channel, WakeupHeartbeat heartbeat, AtomicBoolean stop,
                                 AtomicLong roundTrips) {
        var buffer = ByteBuffer.allocate(100);
        try (channel) {
            while (!stop.get()) {
                buffer.clear();
                channel.write(buffer);
                heartbeat.beforeAnswer();
                buffer.clear();
                while (buffer.hasRemaining()) {
                    channel.read(buffer);
                }
                roundTrips.incrementAndGet();
            }
        } catch (IOException closed) {
            // The process is ending.
        }
    }
}
