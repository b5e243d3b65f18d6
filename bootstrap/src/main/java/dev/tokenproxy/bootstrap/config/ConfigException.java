package dev.tokenproxy.bootstrap.config;

/** An unreadable or invalid configuration; the message names the offending field path. */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    static ConfigException at(String path, String problem) {
        return new ConfigException((path.isEmpty() ? "config" : path) + ": " + problem);
    }
}
