package dev.tokenproxy.adapter.in.http.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watch hears what Helidon 4.5.0's {@code ServerListener} logs when its accept loop ends (the message text is
 * copied from its source), through the same {@link System.Logger} API Helidon uses.
 */
class ListenerLossWatchTest {

    /** Helidon's own words, ServerListener.listen(), for a failure that is not a SocketException. */
    private static final String THROWABLE_WHILE_LISTENING =
            "Got a throwable while listening, this server socket is terminating now";
    private static final String SOCKET_EXCEPTION_WHILE_LISTENING =
            "Got a socket exception while listening, this server socket is terminating now";

    private final List<String> losses = new CopyOnWriteArrayList<>();
    private final java.util.logging.Level previousLevel =
            Logger.getLogger(ListenerLossWatch.LISTENER_LOGGER).getLevel();

    @AfterEach
    void uninstall() {
        var logger = Logger.getLogger(ListenerLossWatch.LISTENER_LOGGER);
        for (var handler : logger.getHandlers()) {
            if (handler instanceof ListenerLossWatch watch) {
                watch.close();
            }
        }
        logger.setLevel(previousLevel);
    }

    private static void helidonLogs(Level level, String message, Throwable thrown) {
        System.getLogger(ListenerLossWatch.LISTENER_LOGGER).log(level, message, thrown);
    }

    @Test
    void reportsTheCauseWhenTheListenerSaysItIsTerminating() {
        ListenerLossWatch.install(losses::add);

        helidonLogs(Level.ERROR, THROWABLE_WHILE_LISTENING, new IOException("Too many open files"));

        assertThat(losses).containsExactly("accept() failed: Too many open files");
    }

    @Test
    void reportsASocketExceptionThatEndsTheListenerToo() {
        ListenerLossWatch.install(losses::add);

        helidonLogs(Level.ERROR, SOCKET_EXCEPTION_WHILE_LISTENING, new java.net.SocketException("Invalid argument"));

        assertThat(losses).containsExactly("accept() failed: Invalid argument");
    }

    @Test
    void reportsOnlyOnce() {
        ListenerLossWatch.install(losses::add);

        helidonLogs(Level.ERROR, THROWABLE_WHILE_LISTENING, new IOException("Too many open files"));
        helidonLogs(Level.ERROR, THROWABLE_WHILE_LISTENING, new IOException("Too many open files"));

        assertThat(losses).hasSize(1);
    }

    @Test
    void ignoresTheListenersOtherRecords() {
        ListenerLossWatch.install(losses::add);

        helidonLogs(Level.INFO, "[0x1234] @default socket closed.", null);
        helidonLogs(Level.ERROR, "Executor rejected handler for new connection", new IllegalStateException());

        assertThat(losses).isEmpty();
    }

    @Test
    void hearsTheListenerEvenWhenALoggingConfigurationSilencedIt() {
        Logger.getLogger(ListenerLossWatch.LISTENER_LOGGER).setLevel(java.util.logging.Level.OFF);
        ListenerLossWatch.install(losses::add);

        helidonLogs(Level.ERROR, THROWABLE_WHILE_LISTENING, new IOException("Too many open files"));

        assertThat(losses).hasSize(1);
    }

    @Test
    void keepsWatchingAfterAGarbageCollection() {
        ListenerLossWatch.install(losses::add);

        // Nothing here holds the watch or the logger, as in Main. Loggers are held weakly: an unreferenced one,
        // handler and all, would be gone after a collection.
        System.gc();
        helidonLogs(Level.ERROR, THROWABLE_WHILE_LISTENING, new IOException("Too many open files"));

        assertThat(losses).hasSize(1);
    }
}
