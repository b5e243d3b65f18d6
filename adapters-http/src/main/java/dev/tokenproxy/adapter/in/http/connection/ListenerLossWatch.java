package dev.tokenproxy.adapter.in.http.connection;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Notices when Helidon's listener stops accepting connections while the process lives on.
 *
 * <p>Helidon 4.5.0's {@code ServerListener} ends its accept loop on any accept() failure (EMFILE, for one): it
 * logs {@code ... this server socket is terminating now} at ERROR, closes the server socket, and then waits for
 * itself forever, so neither the server's state nor its lifecycle callbacks ever say so. That log record is the
 * only signal there is, so this handler sits on that one logger, independent of the handlers the root logger has
 * (ours or an operator's own logging configuration).
 */
public final class ListenerLossWatch extends Handler {

    static final String LISTENER_LOGGER = "io.helidon.webserver.ServerListener";
    private static final String TERMINATING = "server socket is terminating";

    /**
     * The logging framework holds loggers only weakly, and a logger holding our handler is no root: without this,
     * the next garbage collection would take both, and Helidon would later log to a new logger without us.
     */
    private static final Set<ListenerLossWatch> INSTALLED = ConcurrentHashMap.newKeySet();

    private final Logger listenerLogger;
    private final Consumer<String> onLoss;
    private final AtomicBoolean fired = new AtomicBoolean();

    private ListenerLossWatch(Logger listenerLogger, Consumer<String> onLoss) {
        this.listenerLogger = listenerLogger;
        this.onLoss = onLoss;
        setLevel(Level.SEVERE);
    }

    /**
     * Calls {@code onLoss} once, with the cause, when the listener stops. Install it after any reset of the logging
     * configuration (a reset removes every handler).
     */
    public static ListenerLossWatch install(Consumer<String> onLoss) {
        Objects.requireNonNull(onLoss, "onLoss");
        Logger logger = Logger.getLogger(LISTENER_LOGGER);
        // A logging configuration that silenced this logger would silence the only signal: let SEVERE through.
        if (!logger.isLoggable(Level.SEVERE)) {
            logger.setLevel(Level.SEVERE);
        }
        var watch = new ListenerLossWatch(logger, onLoss);
        logger.addHandler(watch);
        INSTALLED.add(watch);
        return watch;
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null || record.getLevel().intValue() < Level.SEVERE.intValue()
                || record.getMessage() == null || !record.getMessage().contains(TERMINATING)) {
            return;
        }
        if (fired.compareAndSet(false, true)) {
            Throwable cause = record.getThrown();
            onLoss.accept(cause == null ? "the listener stopped"
                    : "accept() failed: " + (cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage()));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        listenerLogger.removeHandler(this);
        INSTALLED.remove(this);
    }
}
