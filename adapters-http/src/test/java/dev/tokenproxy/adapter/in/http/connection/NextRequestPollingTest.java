package dev.tokenproxy.adapter.in.http.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.common.socket.PlainSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Polling a real loopback connection through Helidon's plain socket. The windows are an hour long, so a poll that
 * missed what it waits for would fail the test by its timeout rather than pass by luck.
 */
@Timeout(20)
class NextRequestPollingTest {

    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    private ServerSocket listener;
    private Socket client;
    private Socket accepted;
    private PlainSocket helidonSocket;

    @BeforeEach
    void connect() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        accepted = listener.accept();
        helidonSocket = PlainSocket.server(accepted, "listener", "child");
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        accepted.close();
        listener.close();
    }

    @Test
    void aPlainSocketCanBePolledAndSeesBytesWithoutConsumingThem() throws IOException {
        InputStream pollable = NextRequestPolling.pollable(helidonSocket);
        assertThat(pollable).isNotNull();

        client.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes());
        NextRequestPolling.await(pollable, HOUR);

        assertThat(new String(helidonSocket.get())).as("Helidon's read still gets every byte")
                .startsWith("GET / HTTP/1.1");
    }

    @Test
    void aPollEndsWhenTheRequestArrivesWhileItWaits() throws Exception {
        InputStream pollable = NextRequestPolling.pollable(helidonSocket);
        var polling = new CountDownLatch(1);
        var poller = Thread.ofVirtual().start(() -> {
            polling.countDown();
            NextRequestPolling.await(pollable, HOUR);
        });
        polling.await();

        client.getOutputStream().write('P');

        poller.join();
        assertThat(pollable.available()).isEqualTo(1);
    }

    @Test
    void aPollEndsWhenTheThreadIsInterrupted() throws Exception {
        InputStream pollable = NextRequestPolling.pollable(helidonSocket);
        var poller = Thread.ofVirtual().unstarted(() -> NextRequestPolling.await(pollable, HOUR));
        poller.start();

        poller.interrupt();

        poller.join();
        assertThat(pollable.available()).isZero();
    }

    @Test
    void aPollOfAClosedSocketEndsAtOnce() throws IOException {
        InputStream pollable = NextRequestPolling.pollable(helidonSocket);
        accepted.close();

        NextRequestPolling.await(pollable, HOUR);
    }

    @Test
    void aPollWithNothingArrivingEndsWithItsWindow() throws IOException {
        InputStream pollable = NextRequestPolling.pollable(helidonSocket);

        NextRequestPolling.await(pollable, TimeUnit.MILLISECONDS.toNanos(1));

        assertThat(pollable.available()).isZero();
    }
}
