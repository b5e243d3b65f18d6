package dev.tokenproxy.adapter.in.http.connection;

import java.time.Instant;
import java.util.Optional;

/** Where one inbound connection is in the request cycle, and so which deadline applies to it. */
sealed interface ConnectionPhase {

    /** When the connection entered this phase; the deadline counts from here. */
    Instant since();

    /**
     * The moment the connection must be closed at, if the client still owes data then.
     *
     * @param readPending whether the connection is blocked reading from the client right now
     */
    Optional<Instant> deadline(ConnectionLimits limits, boolean readPending);

    /** No request in progress: just accepted and silent, or between keep-alive requests. */
    record AwaitingRequest(Instant since) implements ConnectionPhase {
        @Override
        public Optional<Instant> deadline(ConnectionLimits limits, boolean readPending) {
            return Optional.of(since.plus(limits.idleTimeout()));
        }
    }

    /** The first bytes of a request arrived; its headers are not complete yet. */
    record ReceivingHeaders(Instant since) implements ConnectionPhase {
        @Override
        public Optional<Instant> deadline(ConnectionLimits limits, boolean readPending) {
            return Optional.of(since.plus(limits.headerTimeout()));
        }
    }

    /**
     * The headers are in and the request is being handled. Handling never reads from the client except for the
     * body, so a read in this phase is a body read: it has the body deadline, and nothing else does (a response may
     * stream for as long as the upstream produces it).
     */
    record InRequest(Instant since) implements ConnectionPhase {
        @Override
        public Optional<Instant> deadline(ConnectionLimits limits, boolean readPending) {
            return readPending ? Optional.of(since.plus(limits.bodyTimeout())) : Optional.empty();
        }
    }
}
