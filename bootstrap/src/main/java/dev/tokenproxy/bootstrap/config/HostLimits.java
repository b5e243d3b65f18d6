package dev.tokenproxy.bootstrap.config;

import java.lang.management.ManagementFactory;

/**
 * What the host grants this process, for the defaults and checks of {@code limits}: the open-file limit
 * ({@code ulimit -n}) and the maximum heap.
 *
 * @param openFiles    file descriptors the process may hold; {@code 0} when the platform does not tell
 * @param maxHeapBytes the JVM's maximum heap
 */
public record HostLimits(long openFiles, long maxHeapBytes) {

    /** Descriptors kept free for the JVM itself, logs, the listener and idle upstream connections. */
    static final long RESERVED_FILES = 256;
    /** Each inbound connection may hold one upstream connection while its request is in flight. */
    static final long FILES_PER_CONNECTION = 2;
    private static final int MAX_DEFAULT_CONNECTIONS = 10_000;

    public static HostLimits current() {
        long files = ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 0;
        return new HostLimits(files, Runtime.getRuntime().maxMemory());
    }

    /** The most inbound connections the open-file limit leaves room for (unbounded when it is unknown). */
    int connectionsTheFileLimitAllows() {
        if (openFiles <= 0) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (openFiles - RESERVED_FILES) / FILES_PER_CONNECTION));
    }

    long openFilesNeededFor(int connections) {
        return connections * FILES_PER_CONNECTION + RESERVED_FILES;
    }

    int defaultMaxConnections() {
        return Math.min(MAX_DEFAULT_CONNECTIONS, connectionsTheFileLimitAllows());
    }

    /** Half the heap for bodies in flight: the rest is for parsing, buffers and everything else. */
    long defaultInFlightBytes() {
        return Math.max(64L * 1024 * 1024, maxHeapBytes / 2);
    }
}
