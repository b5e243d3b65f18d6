package dev.tokenproxy.application.port.out;

import dev.tokenproxy.domain.record.AttemptRecord;
import java.util.List;

/**
 * Where the gateway's operational metrics go (docs/metrics.md). It is told about each client request once its answer
 * is known, with the same records the record store gets: they already say format, upstream, outcome, status,
 * latency and usage, so counting needs nothing the core does not already produce. Called on the request's thread:
 * implementations must not block and must not throw.
 */
public interface GatewayMetricsPort {

    /** Counts nothing: metrics switched off, and tests that do not look at them. */
    GatewayMetricsPort NONE = records -> { };

    /**
     * @param records every record of one client request in completion order: its attempts, and its billable record
     *                or its refusal
     */
    void requestEnded(List<AttemptRecord> records);
}
