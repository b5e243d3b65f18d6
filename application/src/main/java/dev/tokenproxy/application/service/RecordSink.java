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

    /** Hands each request's records to {@code first}, then to {@code second}: store and metrics see them all. */
    static RecordSink both(RecordSink first, RecordSink second) {
        return records -> {
            first.accept(records);
            second.accept(records);
        };
    }
}
