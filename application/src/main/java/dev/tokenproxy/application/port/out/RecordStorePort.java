package dev.tokenproxy.application.port.out;

import dev.tokenproxy.domain.record.AttemptRecord;
import java.time.Instant;
import java.util.List;

/**
 * Where attempt records are kept (behaviour §7), written by one background writer in batches, never on a request's
 * path. Failures are runtime exceptions: the writer counts and logs them, no client ever sees one.
 */
public interface RecordStorePort {

    /** Keeps {@code records} (several requests' worth), all or none. */
    void saveAll(List<AttemptRecord> records);

    /**
     * Keeps {@code records} as {@link #saveAll(List)} does. {@code behind} says that records piled up while the last
     * batch was written: a store that lets requests go first between parts of a batch should not do so now, or on a
     * busy core the writer never catches up and the queue drops records.
     */
    default void saveAll(List<AttemptRecord> records, boolean behind) {
        saveAll(records);
    }

    /** Forgets records older than {@code cutoff} (the retention setting). */
    void forgetBefore(Instant cutoff);
}
