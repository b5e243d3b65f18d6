package dev.tokenproxy.application.service;

import dev.tokenproxy.domain.record.AttemptRecord;
import java.util.List;

/**
 * Takes the records of one client request once its answer is known, without waiting for them to be stored: the
 * request path never waits for a disk.
 */
@FunctionalInterface
public interface RecordSink {

    /** Keeps nothing: records switched off, and tests that do not look at records. */
    RecordSink NONE = records -> { };

    /** {@code records}: every record of one client request, in completion order. Never blocks, never throws. */
    void accept(List<AttemptRecord> records);
}
