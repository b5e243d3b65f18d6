package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tokenproxy.adapter.out.records.SqliteRecordStore;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.CredentialStatusUseCase;
import dev.tokenproxy.application.port.in.RecordRefusalUseCase;
import dev.tokenproxy.application.port.in.RequestRecordsUseCase;
import dev.tokenproxy.application.port.out.AccountStorePort;
import dev.tokenproxy.application.port.out.GatewayMetricsPort;
import dev.tokenproxy.application.port.out.LoadRecordsPort;
import dev.tokenproxy.application.service.CooldownBook;
import dev.tokenproxy.application.service.CredentialPools;
import dev.tokenproxy.application.service.CredentialStatusService;
import dev.tokenproxy.application.service.RecordQueue;
import dev.tokenproxy.application.service.RecordSink;
import dev.tokenproxy.application.service.RequestRecordsService;
import dev.tokenproxy.application.service.UsageBook;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Attempt records: the SQLite store under {@code data_dir} (opened, and migrated, when the gateway starts), the
 * queue that writes to it off the request path, and the operator's use cases over records and credentials.
 */
final class RecordsModule extends AbstractModule {

    /** Empty when records are switched off: nothing is opened, nothing is written. */
    @Provides
    @Singleton
    Optional<SqliteRecordStore> recordStore(GatewayConfig config) {
        return config.records().enabled() ? Optional.of(SqliteRecordStore.open(config.dataDir())) : Optional.empty();
    }

    @Provides
    @Singleton
    Optional<RecordQueue> recordQueue(Optional<SqliteRecordStore> store, GatewayConfig config, Clock clock) {
        return store.map(s -> new RecordQueue(s, config.records().queueSize(), config.records().retention(), clock)
                .start());
    }

    @Provides
    @Singleton
    RecordSink recordSink(Optional<RecordQueue> queue, GatewayMetricsPort metrics) {
        // Metrics count from the same records, also when none are stored; the store first, as it is what bills.
        return RecordSink.both(queue.<RecordSink>map(q -> q).orElse(RecordSink.NONE), metrics::requestEnded);
    }

    @Provides
    @Singleton
    LoadRecordsPort loadRecords(Optional<SqliteRecordStore> store) {
        return store.<LoadRecordsPort>map(s -> s).orElse(NoRecords.INSTANCE);
    }

    @Provides
    @Singleton
    RequestRecordsService requestRecordsService(LoadRecordsPort store, RecordSink sink, Clock clock) {
        return new RequestRecordsService(store, sink, clock);
    }

    @Provides
    RequestRecordsUseCase requestRecords(RequestRecordsService service) {
        return service;
    }

    @Provides
    RecordRefusalUseCase recordRefusal(RequestRecordsService service) {
        return service;
    }

    @Provides
    @Singleton
    CredentialStatusUseCase credentialStatus(UpstreamCatalog catalog, CredentialPools pools, CooldownBook cooldowns,
                                             UsageBook usage, AccountStorePort accounts, Clock clock) {
        return new CredentialStatusService(catalog, pools, cooldowns, usage, accounts, clock);
    }

    /** The records of a gateway that keeps none. */
    private enum NoRecords implements LoadRecordsPort {
        INSTANCE;

        @Override
        public List<dev.tokenproxy.domain.record.AttemptRecord> requests(
                dev.tokenproxy.application.model.RecordQuery query) {
            return List.of();
        }

        @Override
        public List<dev.tokenproxy.domain.record.AttemptRecord> recordsOf(String requestId) {
            return List.of();
        }

        @Override
        public List<dev.tokenproxy.application.model.UsageTotal> usage(
                dev.tokenproxy.application.model.UsageGrouping by, dev.tokenproxy.application.model.RecordQuery query) {
            return List.of();
        }
    }
}
