package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.domain.classify.Fault;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/** Names the {@link Fault} behind a failed exchange: the watchdog's reason if it aborted, else the exception's kind. */
final class TransportFaults {

    private TransportFaults() {
    }

    static Fault of(Throwable failure, Watch watch) {
        WatchEnd ending = watch.ending();
        if (ending != null && ending != WatchEnd.RELEASED && ending != WatchEnd.CLOSED) {
            return timeoutFault(ending, watch);
        }
        // Name resolution may fail before the watch enters its connecting phase; whenever it fails, it is this.
        if (isUnknownHost(failure)) {
            return Fault.UNKNOWN_HOST;
        }
        if (watch.phase() == Watch.Phase.CONNECTING) {
            return connectFault(failure);
        }
        if (has(failure, ProtocolException.class)) {
            return Fault.PROTOCOL_VIOLATION;
        }
        // A socket read timeout is only a safety net behind the watchdog, but when it fires it is still a timeout.
        if (has(failure, SocketTimeoutException.class)) {
            return watch.hasSeenOutput() ? Fault.IDLE_TIMEOUT : Fault.FIRST_OUTPUT_TIMEOUT;
        }
        // After the handshake every failure (reset, early EOF, broken framing, TLS record errors) means the same:
        // the exchange broke before a complete response.
        return Fault.CONNECTION_RESET;
    }

    private static Fault timeoutFault(WatchEnd ending, Watch watch) {
        return switch (ending) {
            case CONNECT_TIMEOUT -> Fault.CONNECT_TIMEOUT;
            case FIRST_OUTPUT_TIMEOUT -> Fault.FIRST_OUTPUT_TIMEOUT;
            case IDLE_TIMEOUT -> Fault.IDLE_TIMEOUT;
            // The request deadline is reported as the limit it cut short.
            case DEADLINE -> watch.phase() == Watch.Phase.CONNECTING ? Fault.CONNECT_TIMEOUT
                    : watch.hasSeenOutput() ? Fault.IDLE_TIMEOUT : Fault.FIRST_OUTPUT_TIMEOUT;
            case RELEASED, CLOSED -> throw new IllegalArgumentException("not a timeout: " + ending);
        };
    }

    private static Fault connectFault(Throwable failure) {
        if (has(failure, SSLException.class)) {
            return Fault.TLS_FAILURE;
        }
        if (has(failure, SocketTimeoutException.class)) {
            return Fault.CONNECT_TIMEOUT;
        }
        if (has(failure, ConnectException.class) || has(failure, NoRouteToHostException.class)) {
            return Fault.CONNECT_REFUSED;
        }
        // Reset or EOF in the middle of the handshake.
        return Fault.CONNECTION_RESET;
    }

    /** A name that does not resolve: a typo or a DNS outage, which a resend at once cannot cure. */
    private static boolean isUnknownHost(Throwable failure) {
        return has(failure, UnknownHostException.class) || has(failure, java.nio.channels.UnresolvedAddressException.class);
    }

    private static boolean has(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
