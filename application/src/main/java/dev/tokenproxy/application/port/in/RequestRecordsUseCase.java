package dev.tokenproxy.application.port.in;

import dev.tokenproxy.application.model.RecordQuery;
import dev.tokenproxy.application.model.UsageGrouping;
import dev.tokenproxy.application.model.UsageTotal;
import dev.tokenproxy.domain.record.AttemptRecord;
import java.util.List;

/** What the operator asks of the records: which requests, why one failed over, what it all cost. */
public interface RequestRecordsUseCase {

    /** One record per client request (how it ended), newest first. */
    List<AttemptRecord> requests(RecordQuery query);

    /** Every record of one request in completion order; empty when unknown. */
    List<AttemptRecord> request(String requestId);

    /** Billable usage totals per group. */
    List<UsageTotal> usage(UsageGrouping by, RecordQuery query);
}
