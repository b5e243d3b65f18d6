package dev.tokenproxy.bootstrap.e2e;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * Waits, at most {@code bound}, for a line containing {@code text}, and returns all lines. A request's log line is
     * written after its response's last byte went out, so a client may have read the answer before it exists.
     */
    String awaitContaining(String text, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        synchronized (this) {
            while (!all().contains(text)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no log line with '" + text + "' in time; got:\n" + all());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return all();
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
