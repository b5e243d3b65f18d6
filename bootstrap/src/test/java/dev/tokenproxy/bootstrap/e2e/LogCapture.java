package dev.tokenproxy.bootstrap.e2e;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Collects every log line the gateway writes (all levels, with stack traces), to check what leaks into logs. */
final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final Level previousRootLevel;

    LogCapture() {
        setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        previousRootLevel = root.getLevel();
        root.setLevel(Level.ALL);
        root.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        var text = new StringWriter();
        text.append(formatter.formatMessage(record));
        if (record.getParameters() != null) {
            for (Object p : record.getParameters()) {
                text.append(' ').append(String.valueOf(p));
            }
        }
        if (record.getThrown() != null) {
            record.getThrown().printStackTrace(new PrintWriter(text));
        }
        lines.add(record.getLoggerName() + " " + text);
    }

    String all() {
        return String.join("\n", lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger root = Logger.getLogger("");
        root.removeHandler(this);
        root.setLevel(previousRootLevel);
    }
}
