package dev.tokenproxy.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.bootstrap.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the console shows: Helidon's per-connection lines are one line each and limited per kind and minute, so
 * misbehaving clients cannot flood the log; SEVERE records and our own lines keep their stack traces.
 */
class ConsoleLoggingTest {

    private static final Level DEBUG = Level.FINE;

    @TempDir
    Path folder;

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final SteppingClock clock = new SteppingClock();
    private final StreamHandler sink = new StreamHandler(console, new ConsoleLogging.LineFormatter());
    private final Handler handler = ConsoleLogging.writingTo(sink, clock);

    private String shown() {
        handler.flush();
        return console.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aThousandConnectionsClosedMidHeadersWriteABoundedLogWithoutStackTraces() throws Exception {
        handler.setLevel(Level.INFO); // what the console shows with the root at INFO
        var socketsClosed = new SocketsClosed(1_000);
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        root.addHandler(socketsClosed);
        try (var gateway = Gateway.start(new ConfigLoader(Map.of()).loadFile(
                Files.writeString(folder.resolve("token-proxy.yaml"), "listen: { port: 0 }\n")))) {
            for (int i = 0; i < 1_000; i++) {
                try (Socket client = new Socket("127.0.0.1", gateway.port())) {
                    OutputStream out = client.getOutputStream();
                    out.write("GET /health HTTP/1.1\r\nHost: gateway\r\nX-Half-A-Hea".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
            socketsClosed.await();
        } finally {
            root.removeHandler(handler);
            root.removeHandler(socketsClosed);
            socketsClosed.close();
        }

        String log = shown();
        // Before: 1,000 WARNING records with a stack trace each, 1.18 MB.
        assertThat(log.length()).as(log).isLessThan(8 * 1024);
        assertThat(log).doesNotContain("\tat ");
        assertThat(log.lines().filter(line -> line.contains("Internal server error")))
                .hasSizeBetween(1, ConsoleLogging.HelidonLineLimit.LINES_PER_WINDOW);
        assertThat(log.lines()).allSatisfy(line -> assertThat(line).matches("^\\d{4}-\\d\\d-\\d\\dT.* - .*"));
    }

    @Test
    void aHelidonWarningWithAnExceptionIsOneLineNamingTheExceptionChain() {
        var cause = new IllegalStateException("no more data\nsecond line");
        handler.publish(record("io.helidon.webserver.http1.Http1Connection", Level.WARNING,
                "[0x1a2b3c4d 0x5e6f7a8b] Internal server error", new RuntimeException("Internal error", cause)));

        assertThat(shown().lines()).singleElement().satisfies(line -> assertThat(line)
                .endsWith("WARNING io.helidon.webserver.http1.Http1Connection - Internal server error "
                        + "(RuntimeException: Internal error <- IllegalStateException: no more data)"));
    }

    @Test
    void linesOfOneKindOverTheLimitAreCountedAndReportedInOneLineWhenTheMinuteEnds() {
        int limit = ConsoleLogging.HelidonLineLimit.LINES_PER_WINDOW;
        for (int i = 0; i < limit + 25; i++) {
            handler.publish(record("io.helidon.webserver.ConnectionHandler", Level.WARNING,
                    "[0x" + i + " 0x" + (i + 1) + "] escaped Request exception", new RuntimeException("bad")));
        }
        assertThat(shown().lines()).hasSize(limit);

        clock.advance(ConsoleLogging.HelidonLineLimit.WINDOW);
        handler.publish(record("io.helidon.webserver.ConnectionHandler", Level.WARNING,
                "[0x1 0x2] escaped Request exception", null));

        var lines = shown().lines().toList();
        assertThat(lines).hasSize(limit + 2);
        assertThat(lines.get(limit)).contains("WARNING io.helidon.webserver.ConnectionHandler - suppressed 25 "
                + "similar lines in 60 s: escaped Request exception");
        assertThat(lines.get(limit + 1)).endsWith("escaped Request exception");
    }

    @Test
    void eachKindHasItsOwnLimit() {
        int limit = ConsoleLogging.HelidonLineLimit.LINES_PER_WINDOW;
        for (int i = 0; i < limit + 5; i++) {
            handler.publish(record("io.helidon.webserver.ConnectionHandler", Level.WARNING, "unexpected exception",
                    null));
            handler.publish(record("io.helidon.webserver.ConnectionHandler", Level.WARNING, "escaped HTTP exception",
                    null));
        }

        assertThat(shown().lines()).hasSize(2 * limit);
    }

    @Test
    void suppressedLinesAreReportedWhenTheHandlerCloses() {
        int limit = ConsoleLogging.HelidonLineLimit.LINES_PER_WINDOW;
        for (int i = 0; i < limit + 3; i++) {
            handler.publish(record("io.helidon.webserver.ConnectionHandler", Level.WARNING, "unexpected exception",
                    null));
        }

        handler.close();

        assertThat(console.toString(StandardCharsets.UTF_8)).contains("suppressed 3 similar lines");
    }

    @Test
    void aSevereRecordFromHelidonKeepsItsStackTraceAndIsNeverLimited() {
        int limit = ConsoleLogging.HelidonLineLimit.LINES_PER_WINDOW;
        for (int i = 0; i < limit + 1; i++) {
            handler.publish(record("io.helidon.webserver.ServerListener", Level.SEVERE, "Failed to start listener",
                    new IOException("Address already in use")));
        }

        String log = shown();
        assertThat(log.lines().filter(line -> line.contains("Failed to start listener"))).hasSize(limit + 1);
        assertThat(log).contains("java.io.IOException: Address already in use").contains("\tat ");
    }

    @Test
    void ourOwnWarningsKeepTheirStackTraceAndAreNotLimited() {
        int limit = ConsoleLogging.HelidonLineLimit.LINES_PER_WINDOW;
        for (int i = 0; i < limit + 1; i++) {
            handler.publish(record("dev.tokenproxy.adapter.in.http.GatewayRouting", Level.WARNING, "a bug",
                    new IllegalStateException("inconsistent")));
        }

        String log = shown();
        assertThat(log.lines().filter(line -> line.endsWith(" - a bug"))).hasSize(limit + 1);
        assertThat(log).contains("\tat ");
    }

    @Test
    void eachLineIsStampedWithItsOwnMillisecondInUtcAcrossSeconds() {
        var formatter = new ConsoleLogging.LineFormatter();
        for (String time : List.of("2026-01-02T03:04:05.678Z", "2026-01-02T03:04:05.009Z", "2026-01-02T03:04:06.000Z",
                "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00.050Z", "2026-01-02T03:04:05.100Z")) {
            var record = record("dev.tokenproxy.requests", Level.INFO, "request", null);
            record.setInstant(Instant.parse(time).plusNanos(999_999)); // below a millisecond: cut, not rounded

            assertThat(formatter.format(record)).startsWith(time + " INFO dev.tokenproxy.requests - request");
        }
    }

    private static LogRecord record(String logger, Level level, String message, Throwable thrown) {
        var record = new LogRecord(level, message);
        record.setLoggerName(logger);
        record.setThrown(thrown);
        return record;
    }

    /** A clock that stands still until the test moves it. */
    private static final class SteppingClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-02T03:04:05.678Z");

        void advance(Duration step) {
            now = now.plus(step);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /**
     * Counts Helidon's DEBUG "socket closed" records: the one sign that the server finished with a connection,
     * including whatever it logged about it.
     */
    private static final class SocketsClosed extends Handler {
        private final Logger connectionHandler = Logger.getLogger("io.helidon.webserver.ConnectionHandler");
        private final Level previous = connectionHandler.getLevel();
        private final CountDownLatch closed;

        SocketsClosed(int expected) {
            closed = new CountDownLatch(expected);
            setLevel(DEBUG);
            connectionHandler.setLevel(DEBUG);
        }

        void await() throws InterruptedException {
            assertThat(closed.await(60, TimeUnit.SECONDS)).as("all connections handled").isTrue();
        }

        @Override
        public void publish(LogRecord record) {
            if (connectionHandler.getName().equals(record.getLoggerName())
                    && record.getMessage().endsWith("socket closed")) {
                closed.countDown();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            connectionHandler.setLevel(previous);
        }
    }
}
