package dev.tokenproxy.application.spi;

import java.util.List;
import java.util.Set;

/**
 * One node of an upstream's configuration, as a {@link ProviderConfigSection} reads it: it knows its field path
 * ({@code upstreams[2].mock.faults[0].status}) so every error names it, and strings arrive with {@code ${ENV}}
 * references already substituted. Reading methods refuse a value of the wrong type or range themselves.
 */
public interface OptionsNode {

    /** The field path, for messages. */
    String path();

    /** Whether the field was written (and is not {@code null}). */
    boolean isPresent();

    /** The child field {@code name} of a mapping; absent when not written. */
    OptionsNode field(String name);

    /** Refuses a mapping with a key outside {@code knownKeys}, so a typo is an error; returns this node. */
    OptionsNode requireObject(Set<String> knownKeys);

    /** The string value, or {@code fallback} when absent. */
    String string(String fallback);

    /** The string value; refused when absent or blank. */
    String requiredString();

    /** The integer value in {@code [min, max]}, or {@code fallback} when absent. */
    long integer(long fallback, long min, long max);

    /** {@code true} or {@code false}, or {@code fallback} when absent. */
    boolean bool(boolean fallback);

    /** The items of a list; empty when absent. */
    List<? extends OptionsNode> list();

    /**
     * How an error message may show {@code value}, read from this node: quoted when it is a short word written in the
     * file, else only by its length, since it may be a secret.
     */
    String quoted(String value);

    /** The error to throw for a value this node holds that the provider refuses: {@code throw node.invalid("...")}. */
    InvalidOptionsException invalid(String problem);
}
