package dev.tokenproxy.bootstrap;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** One line per log record on stderr, so stdout stays free for the {@code listening on} line. */
final class ConsoleLogging {

    private ConsoleLogging() {
    }

    static void install() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return; // the operator brought their own logging configuration
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s - %5$s%6$s%n");
        LogManager.getLogManager().reset();
        var handler = new ConsoleHandler(); // writes to stderr
        handler.setFormatter(new SimpleFormatter());
        handler.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }
}
