package dev.tokenproxy.adapter.in.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the log records written while a test runs, to assert on what an operator would see. It also turns on
 * Helidon's DEBUG "socket closed" record, which is the one sign that the server finished with a connection.
 */
final class LoggedRecords extends Handler implements AutoCloseable {

    private static final String CONNECTION_HANDLER = "io.helidon.webserver.ConnectionHandler";

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger connectionHandler = Logger.getLogger(CONNECTION_HANDLER);
    private final Level previousLevel = connectionHandler.getLevel();
    private volatile CountDownLatch socketsClosed = new CountDownLatch(0);

    LoggedRecords() {
        setLevel(Level.ALL);
        connectionHandler.setLevel(Level.FINE);
        Logger.getLogger("").addHandler(this);
    }

    /** Starts counting connections the server finishes with from now on. */
    void expectClosedSockets(int count) {
        socketsClosed = new CountDownLatch(count);
    }

    void awaitClosedSockets() throws InterruptedException {
        if (!socketsClosed.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not finish with the connection(s); records: " + describe());
        }
    }

    /**
     * Waits until {@code count} records of logger {@code name} were published, for lines written after the response
     * left (a request's line is logged once its answer is out); false if 10 s pass first.
     */
    boolean awaitRecords(String name, int count) throws InterruptedException {
        synchronized (records) {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (records.stream().filter(r -> name.equals(r.getLoggerName())).count() < count) {
                long left = giveUp - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(records, left);
            }
            return true;
        }
    }

    /** Records an operator sees with the default INFO level. */
    List<LogRecord> visible() {
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.INFO.intValue()).toList();
    }

    String describe() {
        var text = new StringBuilder();
        for (var r : records) {
            text.append('\n').append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ")
                    .append(r.getMessage()).append(r.getThrown() == null ? "" : " [" + r.getThrown() + "]");
        }
        return text.toString();
    }

    @Override
    public void publish(LogRecord record) {
        synchronized (records) {
            records.add(record);
            records.notifyAll();
        }
        if (CONNECTION_HANDLER.equals(record.getLoggerName()) && record.getMessage().endsWith("socket closed")) {
            socketsClosed.countDown();
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
        connectionHandler.setLevel(previousLevel);
    }
}
