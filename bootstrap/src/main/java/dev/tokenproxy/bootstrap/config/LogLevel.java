package dev.tokenproxy.bootstrap.config;

import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;

/**
 * How much the gateway logs ({@code log_level} in the configuration, {@code --log-level} on the command line, which
 * wins). {@code info} has one line per request and per failed attempt; {@code warn} keeps failures only.
 */
public enum LogLevel {
    ERROR(Level.SEVERE),
    WARN(Level.WARNING),
    INFO(Level.INFO),
    /** Also successful attempts and other detail; Helidon's own loggers stay at INFO, they would drown the rest. */
    DEBUG(Level.FINE);

    private final Level julLevel;

    LogLevel(Level julLevel) {
        this.julLevel = julLevel;
    }

    public Level julLevel() {
        return julLevel;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LogLevel> fromWire(String text) {
        for (var level : values()) {
            if (level.wireName().equals(text)) {
                return Optional.of(level);
            }
        }
        return Optional.empty();
    }

    public static String choices() {
        return "error, warn, info, debug";
    }
}
