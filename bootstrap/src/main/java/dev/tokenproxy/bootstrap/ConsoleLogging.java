package dev.tokenproxy.bootstrap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * One line per log record on stderr, so stdout stays free for the {@code listening on} line; written by
 * {@link BackgroundLineWriter}, off the request threads.
 */
final class ConsoleLogging {

    /** The console handler {@link #install()} set up, so that {@link #json(boolean)} can change its line format. */
    private static volatile BackgroundLineWriter console;

    private ConsoleLogging() {
    }

    static void install() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return; // the operator brought their own logging configuration
        }
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        console = new BackgroundLineWriter(System.err);
        root.addHandler(writingTo(console, Clock.systemUTC()));
        root.setLevel(Level.INFO);
    }

    /** Writes the log lines handed over so far: before a line printed to stderr directly, so that it comes last. */
    static void flush() {
        var handler = console;
        if (handler != null) {
            handler.flush();
        }
    }

    /** One JSON object per line from now on (for log shippers), or back to the plain line format. */
    static void json(boolean json) {
        var handler = console;
        if (handler != null) {
            handler.setFormatter(json ? new JsonLineFormatter() : new LineFormatter());
        }
    }

    /**
     * Logs at {@code level} from now on. Helidon's loggers never go below INFO: at FINE they report every socket and
     * would drown the gateway's own detail.
     */
    static void level(dev.tokenproxy.bootstrap.config.LogLevel level) {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        Logger.getLogger("").setLevel(level.julLevel());
        HELIDON_LOGGER.setLevel(level.julLevel().intValue() < Level.INFO.intValue() ? Level.INFO : null);
    }

    /** Held so that its level, once set, is not lost when the logger would otherwise be collected. */
    private static final Logger HELIDON_LOGGER = Logger.getLogger("io.helidon");

    /** The console's handler chain over any sink: the line format and Helidon's line limit. */
    static Handler writingTo(Handler sink, Clock clock) {
        sink.setFormatter(new LineFormatter());
        sink.setLevel(Level.ALL);
        return new HelidonLineLimit(sink, clock);
    }

    /**
     * {@code {"time":"2026-01-02T03:04:05.678Z","level":"INFO","logger":"...","message":"..."}} and {@code "thrown"}
     * with the stack trace when there is one: one object per line, escaped by Jackson, so a message can never break a
     * shipper's line framing.
     */
    static final class JsonLineFormatter extends Formatter {

        private static final JsonFactory JSON = new JsonFactory();

        @Override
        public String format(LogRecord record) {
            var out = new StringWriter(160);
            try (JsonGenerator line = JSON.createGenerator(out)) {
                line.writeStartObject();
                line.writeStringField("time", LineFormatter.time(record.getInstant()));
                line.writeStringField("level", record.getLevel().getName());
                line.writeStringField("logger", record.getLoggerName());
                line.writeStringField("message", formatMessage(record));
                if (record.getThrown() != null) {
                    var trace = new StringWriter();
                    record.getThrown().printStackTrace(new PrintWriter(trace));
                    line.writeStringField("thrown", trace.toString().stripTrailing());
                }
                line.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // writing to a StringWriter does no I/O
            }
            return out.append(System.lineSeparator()).toString();
        }
    }

    /** {@code 2026-01-02T03:04:05.678Z INFO logger - message}, then the stack trace when there is one. */
    static final class LineFormatter extends Formatter {

        private static final DateTimeFormatter TO_THE_SECOND =
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);

        /**
         * The text of the last second a line was stamped in. A busy gateway writes a line per request, thousands a
         * second; the date formatter's work for each was ~2% of a small request's CPU (benchmark.md, seventh pass).
         */
        private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

        private record Second(long epochSecond, String text) {
        }

        /** {@code 2026-01-02T03:04:05.678Z} */
        static String time(Instant instant) {
            return appendTime(new StringBuilder(24), instant).toString();
        }

        static StringBuilder appendTime(StringBuilder line, Instant instant) {
            Second second = lastSecond;
            if (second.epochSecond() != instant.getEpochSecond()) {
                second = new Second(instant.getEpochSecond(), TO_THE_SECOND.format(instant));
                lastSecond = second;
            }
            int millis = instant.getNano() / 1_000_000;
            return line.append(second.text())
                    .append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10))
                    .append((char) ('0' + millis % 10)).append('Z');
        }

        @Override
        public String format(LogRecord record) {
            var line = appendTime(new StringBuilder(256), record.getInstant()) // a request line is ~150-200 chars
                    .append(' ').append(record.getLevel().getName())
                    .append(' ').append(record.getLoggerName())
                    .append(" - ").append(formatMessage(record));
            if (record.getThrown() != null) {
                var trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(System.lineSeparator()).append(trace.toString().stripTrailing());
            }
            return line.append(System.lineSeparator()).toString();
        }
    }

    /**
     * Keeps Helidon's own log lines below SEVERE to one line each (the exception's class and message instead of its
     * stack trace) and to at most {@link #LINES_PER_WINDOW} of a kind per {@link #WINDOW}; the rest of a window is
     * counted and reported in one line when it ends. These lines are about one client connection each (closed
     * mid-headers, broken framing): 1,000 such connections wrote 1.18 MB of WARNING stack traces, which any client
     * could turn into a full disk. SEVERE records pass untouched: Helidon logs a failed listener that way, and that
     * must stay visible. Our own loggers are not limited.
     */
    static final class HelidonLineLimit extends Handler {

        static final int LINES_PER_WINDOW = 10;
        static final Duration WINDOW = Duration.ofMinutes(1);
        /** Distinct kinds tracked at once; more (a message that varies) share one bucket so memory stays bounded. */
        private static final int MAX_KINDS = 100;
        private static final String OTHER_KINDS = "(other Helidon messages, too many kinds to tell apart)";
        private static final String HELIDON = "io.helidon.";
        /** Helidon prefixes per-connection lines with the socket ids, e.g. {@code [0x1a2b3c4d 0x5e6f7a8b] }. */
        private static final Pattern SOCKET_IDS = Pattern.compile("^\\[[^]]*] ");
        private static final Pattern NUMBERS = Pattern.compile("\\d+");
        private static final int KIND_CHARS = 80;

        private final Handler target;
        private final Clock clock;
        private final Formatter messages = new LineFormatter();
        private final Map<String, Window> windows = new LinkedHashMap<>();

        HelidonLineLimit(Handler target, Clock clock) {
            this.target = target;
            this.clock = clock;
            setLevel(Level.ALL);
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            if (!isHelidonBelowSevere(record)) {
                target.publish(record);
                return;
            }
            synchronized (this) {
                Instant now = clock.instant();
                reportEndedWindows(now);
                // One line even if a message has line breaks; the socket ids differ on every connection.
                String message = SOCKET_IDS.matcher(messages.formatMessage(record)).replaceFirst("")
                        .replaceAll("\\R", " ");
                Window window = windowFor(record, shape(message), now);
                if (window.lines < LINES_PER_WINDOW) {
                    window.lines++;
                    target.publish(oneLine(record, message));
                } else {
                    window.suppressed++;
                }
            }
        }

        private static boolean isHelidonBelowSevere(LogRecord record) {
            return record.getLoggerName() != null && record.getLoggerName().startsWith(HELIDON)
                    && record.getLevel().intValue() < Level.SEVERE.intValue();
        }

        /** What lines of one kind have in common: the message without its numbers, cut to a length. */
        private static String shape(String message) {
            String shape = NUMBERS.matcher(message).replaceAll("#");
            return shape.substring(0, Math.min(shape.length(), KIND_CHARS));
        }

        private Window windowFor(LogRecord record, String shape, Instant now) {
            String kind = record.getLoggerName() + " " + record.getLevel().getName() + " " + shape;
            Window window = windows.get(kind);
            if (window == null && windows.size() >= MAX_KINDS) {
                return windows.computeIfAbsent(OTHER_KINDS,
                        other -> new Window(OTHER_KINDS, "io.helidon", Level.WARNING, now));
            }
            if (window == null) {
                window = new Window(shape, record.getLoggerName(), record.getLevel(), now);
                windows.put(kind, window);
            }
            return window;
        }

        private void reportEndedWindows(Instant now) {
            for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
                Window window = it.next();
                if (!now.isBefore(window.start.plus(WINDOW))) {
                    it.remove();
                    report(window, now);
                }
            }
        }

        private void report(Window window, Instant now) {
            if (window.suppressed == 0) {
                return;
            }
            var summary = new LogRecord(window.level, "suppressed " + window.suppressed + " similar lines in "
                    + WINDOW.toSeconds() + " s: " + window.shape);
            summary.setLoggerName(window.logger);
            summary.setInstant(now);
            target.publish(summary);
        }

        private static LogRecord oneLine(LogRecord record, String message) {
            var line = new LogRecord(record.getLevel(), message + causes(record.getThrown()));
            line.setLoggerName(record.getLoggerName());
            line.setInstant(record.getInstant());
            line.setSourceClassName(record.getSourceClassName());
            line.setSourceMethodName(record.getSourceMethodName());
            return line;
        }

        /** The exception chain as {@code  (A: msg <- B: msg)}: enough to tell what happened, without the trace. */
        private static String causes(Throwable thrown) {
            if (thrown == null) {
                return "";
            }
            var text = new StringBuilder(" (");
            int depth = 0;
            for (Throwable t = thrown; t != null && depth < 4; t = t.getCause() == t ? null : t.getCause(), depth++) {
                if (depth > 0) {
                    text.append(" <- ");
                }
                text.append(t.getClass().getSimpleName());
                if (t.getMessage() != null) {
                    text.append(": ").append(t.getMessage().lines().findFirst().orElse(""));
                }
            }
            return text.append(')').toString();
        }

        /** Reports what was suppressed so far in windows that have ended, so the count is not lost at shutdown. */
        @Override
        public void flush() {
            synchronized (this) {
                reportEndedWindows(clock.instant());
            }
            target.flush();
        }

        @Override
        public void close() {
            synchronized (this) {
                windows.values().forEach(window -> report(window, clock.instant()));
                windows.clear();
            }
            target.close();
        }

        private static final class Window {
            final String shape;
            final String logger;
            final Level level;
            final Instant start;
            int lines;
            int suppressed;

            Window(String shape, String logger, Level level, Instant start) {
                this.shape = shape;
                this.logger = logger;
                this.level = level;
                this.start = start;
            }
        }
    }
}
