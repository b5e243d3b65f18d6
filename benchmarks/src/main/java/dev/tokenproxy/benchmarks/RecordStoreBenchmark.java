package dev.tokenproxy.benchmarks;

import dev.tokenproxy.adapter.out.records.SqliteRecordStore;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.RecordOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * What the record writer pays per record: one store transaction of a gathered batch (1,000 requests' final records,
 * as 100 ms of traffic at 10k requests per second gives), reported per record. The file grows over the run as it
 * does in service; retention is not swept here. {@link #saveALoneRecord} is the other end: one record per transaction.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RecordStoreBenchmark {

    private static final int BATCH = 1000;

    /**
     * {@code ordered}: ids as the gateway makes them (time first, they grow); {@code random}: ids clients send in
     * {@code x-request-id}, e.g. UUIDs, which land all over the index.
     */
    @Param({"ordered", "random"})
    public String ids;
    private long sequence;

    private Path folder;
    private SqliteRecordStore store;
    private List<AttemptRecord> batch;

    @Setup(Level.Trial)
    public void open() throws IOException {
        folder = Files.createTempDirectory("record-store-bench");
        store = SqliteRecordStore.open(folder);
    }

    /** Fresh request ids each time, so the indexes see what they see in service: ever new keys. */
    @Setup(Level.Invocation)
    public void newBatch(BenchmarkParams params) {
        int size = params.getBenchmark().endsWith("saveALoneRecord") ? 1 : BATCH;
        batch = new ArrayList<>(size);
        Instant at = Instant.now();
        for (int i = 0; i < size; i++) {
            batch.add(new AttemptRecord(nextId(), 1, at, InboundFormat.CHAT, "gpt-4o-mini",
                    Optional.of("gpt-4o-mini"), Optional.of(new CredentialKey("bench", "key-1")), 200,
                    RecordOutcome.SUCCESS, Optional.empty(), Optional.empty(), true,
                    Optional.of(Duration.ofMillis(3)), Duration.ofMillis(4), new TokenUsage(12, 0, 0, 7, 0), true));
        }
    }

    private String nextId() {
        return ids.equals("random") ? UUID.randomUUID().toString()
                : String.format("req_%012x%012x", System.currentTimeMillis(), sequence++);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void saveAGatheredBatch() {
        store.saveAll(batch);
    }

    /**
     * A transaction of one record: what the writer pays when traffic is sparse (one request per gathering window, e.g.
     * one stream at a time), where nothing shares the transaction's fixed cost.
     */
    @Benchmark
    public void saveALoneRecord() {
        store.saveAll(batch);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (var files = Files.list(folder)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(folder);
    }
}
