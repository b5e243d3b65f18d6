package dev.tokenproxy.bootstrap.cli;

import java.util.List;
import java.util.Optional;

/**
 * Whether the JVM was started with the settings file that goes beside the jar ({@code token-proxy.jvm}, see
 * docs/configuration.md, "Memory and JVM settings"). The file sets {@value #MARKER}; a plain {@code java -jar} runs on
 * the JVM's defaults, whose heap is sized for the machine rather than for a gateway.
 */
public final class JvmSettings {

    /** The system property the settings file sets, so that its absence can be told. */
    public static final String MARKER = "token-proxy.jvm-settings";

    private static final long MIB = 1024 * 1024;

    private JvmSettings() {
    }

    /**
     * The warning to log when the settings file was not given, or empty.
     *
     * @param markerSet whether {@value #MARKER} is set
     * @param jvmArguments the JVM's own arguments (a heap given there is the operator's choice: no warning)
     * @param maxHeapBytes the heap the JVM may grow to
     */
    public static Optional<String> missingSettingsWarning(boolean markerSet, List<String> jvmArguments,
            long maxHeapBytes) {
        if (markerSet || jvmArguments.stream().anyMatch(JvmSettings::setsTheHeap)) {
            return Optional.empty();
        }
        return Optional.of("started without the JVM settings file (java @token-proxy.jvm -jar token-proxy.jar): "
                + "on the JVM's defaults the heap may grow to " + maxHeapBytes / MIB
                + " MiB; see docs/configuration.md, \"Memory and JVM settings\"");
    }

    private static boolean setsTheHeap(String argument) {
        return argument.startsWith("-Xmx") || argument.startsWith("-XX:MaxHeapSize")
                || argument.startsWith("-XX:MaxRAM");
    }
}
