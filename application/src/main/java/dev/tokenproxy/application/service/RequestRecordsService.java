package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.RecordQuery;
import dev.tokenproxy.application.model.UsageGrouping;
import dev.tokenproxy.application.model.UsageTotal;
import dev.tokenproxy.application.port.in.RecordRefusalUseCase;
import dev.tokenproxy.application.port.in.RequestRecordsUseCase;
import dev.tokenproxy.application.port.out.LoadRecordsPort;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.RecordOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Records refusals the HTTP adapter made, and answers the operator's questions about records. */
public final class RequestRecordsService implements RequestRecordsUseCase, RecordRefusalUseCase {

    private final LoadRecordsPort store;
    private final RecordSink sink;
    private final Clock clock;

    public RequestRecordsService(LoadRecordsPort store, RecordSink sink, Clock clock) {
        this.store = store;
        this.sink = sink;
        this.clock = clock;
    }

    @Override
    public void refused(Refusal refusal) {
        sink.accept(List.of(new AttemptRecord(refusal.requestId(), 0, clock.instant(), refusal.format(),
                refusal.model().orElse(""), Optional.empty(), Optional.empty(), refusal.status(),
                RecordOutcome.REFUSED, Optional.empty(), Optional.of(refusal.code()), false, Optional.empty(),
                Duration.ZERO, TokenUsage.NONE, false)));
    }

    @Override
    public List<AttemptRecord> requests(RecordQuery query) {
        return store.requests(query);
    }

    @Override
    public List<AttemptRecord> request(String requestId) {
        return store.recordsOf(requestId);
    }

    @Override
    public List<UsageTotal> usage(UsageGrouping by, RecordQuery query) {
        return store.usage(by, query);
    }
}
