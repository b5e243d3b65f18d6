package dev.tokenproxy.adapter.in.http.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.common.concurrency.limits.FixedLimit;
import io.helidon.webserver.CloseConnectionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The guard's rules, driven the way Helidon drives a connection (reads starting and returning, headers parsed),
 * with a clock the test moves: which connection gives way at the limit, and which deadline applies when.
 */
class ConnectionGuardTest {

    private static final Duration HEADER = Duration.ofSeconds(20);
    private static final Duration BODY = Duration.ofSeconds(60);
    private static final Duration IDLE = Duration.ofSeconds(90);

    private final AdvancingClock clock = new AdvancingClock();

    private ConnectionGuard guard(int maxConnections) {
        return new ConnectionGuard(new ConnectionLimits(maxConnections, HEADER, BODY, IDLE), clock);
    }

    /** One client connection, as the guard's selector builds it. */
    private record Client(GuardedConnection connection, FakeHttp1Connection http1, boolean admitted) {

        static Client connect(ConnectionGuard guard) {
            var connection = guard.newConnection();
            var http1 = new FakeHttp1Connection();
            connection.attach(http1);
            return new Client(connection, http1, guard.admit(connection));
        }

        Client sendsFirstByte() {
            connection.readStarting();
            connection.readReturned(new byte[] {'P'});
            return this;
        }

        Client completesHeaders() {
            sendsFirstByte();
            http1.waitingForRequestLine = false;
            connection.headersReceived();
            return this;
        }

        Client waitsForMoreBody() {
            connection.readStarting();
            return this;
        }

        Client bodyArrived() {
            connection.readReturned(new byte[] {'}'});
            return this;
        }

        /** The response is written; Helidon goes back to reading the next request line. */
        Client finishesResponse() {
            http1.waitingForRequestLine = true;
            connection.readStarting();
            return this;
        }

        boolean closed() {
            return http1.closedByInterrupt();
        }
    }

    @Test
    void theListenerKeepsNoWriteBufferPerConnectionOrPerStreamedResponse() {
        var listener = io.helidon.webserver.WebServer.builder();

        guard(10).configure(listener);

        assertThat(listener.useNio()).as("Helidon's NIO socket holds 8 KiB more per open connection").isFalse();
        assertThat(listener.writeBufferSize()).as("a streamed response's buffer, held while it streams").isZero();
    }

    @Test
    void aNewConnectionOverTheLimitReplacesTheConnectionIdleLongest() {
        var guard = guard(2);
        var oldest = Client.connect(guard);
        clock.advance(Duration.ofSeconds(1));
        var younger = Client.connect(guard);
        clock.advance(Duration.ofSeconds(1));

        var newcomer = Client.connect(guard);

        assertThat(newcomer.admitted()).isTrue();
        assertThat(oldest.closed()).isTrue();
        assertThat(younger.closed()).isFalse();
        assertThat(guard.openConnections()).isEqualTo(2);
    }

    @Test
    void anIdleConnectionGivesWayBeforeOneThatIsSendingItsHeaders() {
        var guard = guard(2);
        var sendingHeaders = Client.connect(guard).sendsFirstByte();
        clock.advance(Duration.ofSeconds(5));
        var idle = Client.connect(guard);

        Client.connect(guard);

        assertThat(idle.closed()).isTrue();
        assertThat(sendingHeaders.closed()).isFalse();
    }

    @Test
    void aConnectionSendingItsHeadersGivesWayWhenNoneIsIdle() {
        var guard = guard(2);
        var handling = Client.connect(guard).completesHeaders();
        var sendingHeaders = Client.connect(guard).sendsFirstByte();

        var newcomer = Client.connect(guard);

        assertThat(newcomer.admitted()).isTrue();
        assertThat(sendingHeaders.closed()).isTrue();
        assertThat(handling.closed()).isFalse();
    }

    @Test
    void aNewConnectionIsRefusedWhenEveryConnectionIsHandlingARequest() {
        var guard = guard(2);
        var first = Client.connect(guard).completesHeaders();
        var second = Client.connect(guard).completesHeaders().waitsForMoreBody();

        var newcomer = Client.connect(guard);

        assertThat(newcomer.admitted()).isFalse();
        assertThat(first.closed()).isFalse();
        assertThat(second.closed()).isFalse();
        assertThat(guard.openConnections()).isEqualTo(2);
    }

    @Test
    void aReadSaysWhetherItWaitsForARequestToBegin() {
        var client = Client.connect(guard(4));

        assertThat(client.connection().readStarting()).as("the first request line").isTrue();
        client.connection().readReturned(new byte[] {'P'});
        client.http1().waitingForRequestLine = false;
        client.connection().headersReceived();
        assertThat(client.connection().readStarting()).as("more of the body").isFalse();
        client.bodyArrived();

        client.http1().waitingForRequestLine = true;
        assertThat(client.connection().readStarting()).as("the next request line").isTrue();
    }

    @Test
    void aConnectionIsAloneWhileNoOtherIsOpen() throws Exception {
        var guard = guard(4);
        var first = Client.connect(guard);
        assertThat(first.connection().alone()).isTrue();

        var second = Client.connect(guard);
        assertThat(first.connection().alone()).isFalse();
        assertThat(second.connection().alone()).isFalse();

        second.connection().handle(FixedLimit.create());
        assertThat(first.connection().alone()).isTrue();
    }

    @Test
    void aFinishedConnectionFreesItsSlot() throws Exception {
        var guard = guard(1);
        var first = Client.connect(guard);
        first.connection().handle(FixedLimit.create());

        var second = Client.connect(guard);

        assertThat(second.admitted()).isTrue();
        assertThat(first.closed()).isFalse();
        assertThat(guard.openConnections()).isEqualTo(1);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheIdleTimeout() {
        var guard = guard(10);
        var silent = Client.connect(guard);

        clock.advance(IDLE.minusMillis(1));
        guard.sweep();
        assertThat(silent.closed()).isFalse();

        clock.advance(Duration.ofMillis(1));
        guard.sweep();
        assertThat(silent.closed()).isTrue();
        assertThat(guard.openConnections()).isZero();
    }

    @Test
    void theHeaderDeadlineCountsFromTheFirstByteOfTheRequest() {
        var guard = guard(10);
        var client = Client.connect(guard);
        clock.advance(IDLE.minusSeconds(1));
        client.sendsFirstByte();

        clock.advance(HEADER.minusMillis(1));
        guard.sweep();
        assertThat(client.closed()).as("idle limit no longer applies once a request started").isFalse();

        clock.advance(Duration.ofMillis(1));
        guard.sweep();
        assertThat(client.closed()).isTrue();
    }

    @Test
    void aBodyStillArrivingAtTheBodyDeadlineIsClosed() {
        var guard = guard(10);
        var client = Client.connect(guard).completesHeaders().waitsForMoreBody();

        clock.advance(BODY.minusMillis(1));
        guard.sweep();
        assertThat(client.closed()).isFalse();

        clock.advance(Duration.ofMillis(1));
        guard.sweep();
        assertThat(client.closed()).isTrue();
    }

    @Test
    void aResponseBeingProducedIsNeverCutHoweverLongItTakes() {
        var guard = guard(10);
        var client = Client.connect(guard).completesHeaders().waitsForMoreBody().bodyArrived();

        clock.advance(Duration.ofHours(6));
        guard.sweep();

        assertThat(client.closed()).isFalse();
        assertThat(client.connection().idleTime()).as("busy, as far as Helidon's own idle check is concerned")
                .isZero();
    }

    @Test
    void aKeepAliveConnectionIsIdleFromTheEndOfItsLastResponse() {
        var guard = guard(10);
        var client = Client.connect(guard).completesHeaders();
        clock.advance(Duration.ofMinutes(10));
        client.finishesResponse();

        clock.advance(IDLE.minusMillis(1));
        guard.sweep();
        assertThat(client.closed()).isFalse();

        clock.advance(Duration.ofMillis(1));
        guard.sweep();
        assertThat(client.closed()).isTrue();
    }

    @Test
    void bytesArrivingAfterTheGuardClosedTheConnectionEndItInsteadOfStartingARequest() {
        var guard = guard(10);
        var client = Client.connect(guard);
        client.connection().readStarting();
        clock.advance(IDLE);
        guard.sweep();

        assertThatThrownBy(() -> client.connection().readReturned(new byte[] {'G'}))
                .isInstanceOf(CloseConnectionException.class);
        assertThat(client.connection().phase()).isInstanceOf(ConnectionPhase.AwaitingRequest.class);
    }
}
