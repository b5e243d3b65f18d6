package dev.tokenproxy.application.spi;

import java.util.Objects;

/**
 * A provider's options are wrong; the gateway refuses to start with {@code path: problem}. Made by
 * {@link OptionsNode#invalid}, so the path is right. The problem must not quote a secret.
 */
public final class InvalidOptionsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final String problem;

    public InvalidOptionsException(String path, String problem) {
        super(path + ": " + problem);
        this.path = Objects.requireNonNull(path, "path");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    public String path() {
        return path;
    }

    public String problem() {
        return problem;
    }
}
