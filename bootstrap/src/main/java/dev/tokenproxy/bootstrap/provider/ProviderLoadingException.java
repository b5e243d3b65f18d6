package dev.tokenproxy.bootstrap.provider;

/**
 * A provider cannot be loaded or built: a plug-in folder that is missing, a jar that cannot be read, a plug-in class
 * that cannot be created, two providers with one name. The start is refused with this one-line message, which names
 * the jar or class; the cause's own stack trace is not shown to the operator.
 */
public final class ProviderLoadingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ProviderLoadingException(String message) {
        super(message);
    }

    /**
     * The innermost cause as {@code Type: message}: a {@link java.util.ServiceConfigurationError} wraps what the
     * plug-in's constructor threw, and the operator needs that. Only the first line, and only the plug-in's own words.
     */
    public static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            return root.getClass().getName();
        }
        int newline = message.indexOf('\n');
        return root.getClass().getName() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }
}
