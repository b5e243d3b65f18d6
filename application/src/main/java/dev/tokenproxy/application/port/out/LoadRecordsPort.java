package dev.tokenproxy.application.port.out;

import dev.tokenproxy.application.model.RecordQuery;
import dev.tokenproxy.application.model.UsageGrouping;
import dev.tokenproxy.application.model.UsageTotal;
import dev.tokenproxy.domain.record.AttemptRecord;
import java.util.List;

/**
 * Reads kept records back for the operator; a read the store cannot answer throws
 * {@link dev.tokenproxy.application.model.RecordsUnavailableException}.
 */
public interface LoadRecordsPort {

    /** One record per client request, the one that says how it ended, newest first. */
    List<AttemptRecord> requests(RecordQuery query);

    /** Every record of one client request, in completion order; empty when it is unknown. */
    List<AttemptRecord> recordsOf(String requestId);

    /** Billable usage summed per group, over the records {@code query} selects (its paging ignored). */
    List<UsageTotal> usage(UsageGrouping by, RecordQuery query);
}
