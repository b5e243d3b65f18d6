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
     * Keeps {@code records} as {@link #saveAll(List)} does, calling {@code giveWay} between the parts of a long write
     * (runs of rows) and while it waits for the disk, where the writer lets requests go first unless records are piling
     * up.
     */
    default void saveAll(List<AttemptRecord> records, Runnable giveWay) {
        saveAll(records);
    }

    /**
     * Forgets at most {@code atMost} records older than {@code cutoff} (the retention setting), calling {@code giveWay}
     * between the parts of the work, and says how many it forgot: fewer than {@code atMost} means none older are left.
     * A caller repeats it, writing new records between calls, so that an hour's worth of old records never holds the
     * writer, or the core it runs on, in one go. A store may keep records up to an hour newer than {@code cutoff} (one
     * that keeps totals per hour forgets whole hours).
     */
    int forgetBefore(Instant cutoff, int atMost, Runnable giveWay);
}
