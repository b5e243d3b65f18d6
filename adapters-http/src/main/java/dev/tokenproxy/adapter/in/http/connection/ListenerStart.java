package dev.tokenproxy.adapter.in.http.connection;

import io.helidon.webserver.WebServer;
import java.util.Locale;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts a Helidon server and tells whether it really listens. Helidon 4.5.0 does not throw when it cannot bind:
 * it logs the failure with a stack trace, leaves the server stopped and reports port -1. Here the failure is taken
 * out of the log (so an operator sees one line, not a stack trace) and thrown with its cause.
 */
public final class ListenerStart {

    static final String SERVER_LOGGER = "io.helidon.webserver.LoomServer";

    private ListenerStart() {
    }

    /**
     * Starts {@code server}.
     *
     * @throws CannotListenException when it does not listen afterwards, naming the cause (e.g. "address already
     *                               in use")
     */
    public static void start(WebServer server) {
        Logger logger = Logger.getLogger(SERVER_LOGGER);
        Filter previous = logger.getFilter();
        var failure = new StartFailure(previous);
        logger.setFilter(failure);
        try {
            server.start();
        } finally {
            logger.setFilter(previous);
        }
        if (!server.isRunning() || server.port() <= 0) {
            throw new CannotListenException(failure.reason());
        }
    }

    /** The server did not bind its socket; the message is the cause, in a few words. */
    public static final class CannotListenException extends RuntimeException {
        CannotListenException(String reason) {
            super(reason);
        }
    }

    /** Keeps the error Helidon logs when a listener fails to start, and keeps it out of the log. */
    private static final class StartFailure implements Filter {

        private final Filter previous;
        private volatile Throwable thrown;

        StartFailure(Filter previous) {
            this.previous = previous;
        }

        @Override
        public boolean isLoggable(java.util.logging.LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                if (record.getThrown() != null && thrown == null) {
                    thrown = record.getThrown();
                }
                return false;
            }
            return previous == null || previous.isLoggable(record);
        }

        String reason() {
            if (thrown == null) {
                return "the web server did not start";
            }
            Throwable root = thrown;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
            return message.isEmpty() ? message : message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
        }
    }
}
