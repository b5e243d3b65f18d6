package dev.tokenproxy.adapter.out.records;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.model.RecordQuery;
import dev.tokenproxy.application.model.UsageGrouping;
import dev.tokenproxy.application.model.UsageTotal;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.RecordOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage reports add up hourly totals and, at the ends of a range, records: they must match the records themselves. */
class SqliteUsageReportTest {

    /** Five hours from just before midnight (UTC), so that a report by day splits them. */
    private static final Instant FIRST_HOUR = Instant.parse("2026-12-03T22:00:00Z");

    @TempDir
    Path dataDir;

    private static AttemptRecord record(Random random, int i) {
        // Some on an hour's first millisecond, where a range's whole hours and its ends meet.
        Instant at = FIRST_HOUR.plusMillis(random.nextInt(10) == 0 ? random.nextInt(5) * UsageHours.HOUR_MS
                : random.nextLong(5 * UsageHours.HOUR_MS));
        String requested = random.nextBoolean() ? "m1" : "m2";
        Optional<String> served = switch (random.nextInt(3)) {
            case 0 -> Optional.of(requested);
            case 1 -> Optional.of("m3");
            default -> Optional.empty();
        };
        Optional<CredentialKey> credential = switch (random.nextInt(4)) {
            case 0 -> Optional.empty();
            case 1 -> Optional.of(new CredentialKey("a", "k1"));
            case 2 -> Optional.of(new CredentialKey("a", "k2"));
            default -> Optional.of(new CredentialKey("b", "k1"));
        };
        boolean billable = random.nextInt(4) != 0;
        return new AttemptRecord("req_" + i, billable ? 1 : random.nextInt(2), at, InboundFormat.CHAT, requested,
                served, credential, random.nextBoolean() ? 200 : 429, RecordOutcome.SUCCESS, Optional.empty(),
                Optional.empty(), true, Optional.empty(), Duration.ofMillis(4),
                new TokenUsage(random.nextInt(1000), random.nextInt(100), random.nextInt(10), random.nextInt(500),
                        random.nextInt(50)), billable);
    }

    private static List<AttemptRecord> records(long seed, int count) {
        var random = new Random(seed);
        var records = new ArrayList<AttemptRecord>();
        for (int i = 0; i < count; i++) {
            records.add(record(random, i));
        }
        return records;
    }

    /** Saves in several batches, so that later ones add to hours that earlier ones began. */
    private static void saveInBatches(SqliteRecordStore store, List<AttemptRecord> records) {
        for (int start = 0; start < records.size(); start += 37) {
            store.saveAll(records.subList(start, Math.min(records.size(), start + 37)));
        }
    }

    /** What a report must say, from the records themselves. */
    private static List<UsageTotal> expected(List<AttemptRecord> records, UsageGrouping by, RecordQuery query) {
        Function<AttemptRecord, String> group = switch (by) {
            case DAY -> r -> r.at().atZone(ZoneOffset.UTC).toLocalDate().toString();
            case UPSTREAM -> r -> r.credential().map(CredentialKey::upstreamId).orElse("-");
            case ACCOUNT -> r -> r.credential().map(c -> c.upstreamId() + "/" + c.credentialId()).orElse("-/-");
            case MODEL -> r -> r.servedModel().orElse(r.requestedModel());
        };
        Predicate<AttemptRecord> asked = r -> r.billable()
                && query.from().map(from -> !r.at().isBefore(from)).orElse(true)
                && query.to().map(to -> r.at().isBefore(to)).orElse(true)
                && query.upstream().map(id -> r.credential().map(CredentialKey::upstreamId).equals(Optional.of(id)))
                        .orElse(true)
                && query.account().map(id -> r.credential().map(CredentialKey::credentialId).equals(Optional.of(id)))
                        .orElse(true)
                && query.model().map(m -> r.requestedModel().equals(m) || r.servedModel().equals(Optional.of(m)))
                        .orElse(true)
                && query.status().map(status -> r.status() == status).orElse(true);
        Map<String, UsageTotal> totals = new TreeMap<>();
        for (var record : records) {
            if (asked.test(record)) {
                var u = record.usage();
                totals.merge(group.apply(record), new UsageTotal(group.apply(record), 1, u),
                        (a, b) -> new UsageTotal(a.group(), a.requests() + 1, new TokenUsage(
                                a.usage().input() + u.input(), a.usage().cachedInput() + u.cachedInput(),
                                a.usage().cacheWrite() + u.cacheWrite(), a.usage().output() + u.output(),
                                a.usage().reasoning() + u.reasoning())));
            }
        }
        return List.copyOf(totals.values());
    }

    private static Optional<Instant> someTime(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> Optional.empty();
            // on an hour's start, within the five hours or just outside them
            case 1 -> Optional.of(FIRST_HOUR.plusMillis((random.nextInt(7) - 1) * UsageHours.HOUR_MS));
            default -> Optional.of(FIRST_HOUR.plusMillis(random.nextLong(-UsageHours.HOUR_MS, 6 * UsageHours.HOUR_MS)));
        };
    }

    private static RecordQuery someQuery(Random random) {
        Optional<Instant> from = someTime(random);
        Optional<Instant> to = someTime(random);
        return new RecordQuery(from, to,
                random.nextInt(3) == 0 ? Optional.of(random.nextBoolean() ? "a" : "b") : Optional.empty(),
                random.nextInt(3) == 0 ? Optional.of(random.nextBoolean() ? "k1" : "k2") : Optional.empty(),
                random.nextInt(3) == 0 ? Optional.of(List.of("m1", "m2", "m3").get(random.nextInt(3)))
                        : Optional.empty(),
                random.nextInt(4) == 0 ? Optional.of(random.nextBoolean() ? 200 : 429) : Optional.empty(), 50, 0);
    }

    @Test
    void aReportSaysWhatTheRecordsSayForAnyRangeFilterAndGrouping() {
        var records = records(7, 900);
        var random = new Random(11);
        try (var store = SqliteRecordStore.open(dataDir)) {
            saveInBatches(store, records);

            for (int i = 0; i < 400; i++) {
                var query = someQuery(random);
                var by = UsageGrouping.values()[i % UsageGrouping.values().length];
                assertThat(store.usage(by, query)).as("%s by %s", query, by).isEqualTo(expected(records, by, query));
            }
        }
    }

    @Test
    void aReportOfWholeHoursAddsUpTheHourlyTotalsNotTheRecords() throws Exception {
        var records = records(3, 200);
        try (var store = SqliteRecordStore.open(dataDir)) {
            saveInBatches(store, records);
            // The records gone behind the store's back: only the hourly totals can still answer.
            try (var connection = StoreFile.connect(dataDir)) {
                connection.createStatement().execute("DELETE FROM attempt_records");
            }

            var wholeHours = new RecordQuery(Optional.of(FIRST_HOUR),
                    Optional.of(FIRST_HOUR.plusMillis(5 * UsageHours.HOUR_MS)), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), 50, 0);
            assertThat(store.usage(UsageGrouping.MODEL, RecordQuery.ALL))
                    .isEqualTo(expected(records, UsageGrouping.MODEL, RecordQuery.ALL)).isNotEmpty();
            assertThat(store.usage(UsageGrouping.DAY, wholeHours))
                    .isEqualTo(expected(records, UsageGrouping.DAY, wholeHours)).hasSize(2);
            var partOfAnHour = new RecordQuery(Optional.of(FIRST_HOUR.plusSeconds(60)), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 50, 0);
            assertThat(store.usage(UsageGrouping.DAY, partOfAnHour)).as("the first hour's part from the records")
                    .isEqualTo(expected(records.stream().filter(r -> !r.at().isBefore(
                            FIRST_HOUR.plusMillis(UsageHours.HOUR_MS))).toList(), UsageGrouping.DAY, partOfAnHour));
        }
    }

    /** The ends of a range are found by the indexes: a report must not read every record, nor every hour. */
    @Test
    void theRangesOfAReportAreFoundByTheIndexes() throws Exception {
        try (var store = SqliteRecordStore.open(dataDir); var connection = StoreFile.connect(dataDir)) {
            for (var by : UsageGrouping.values()) {
                assertThat(StoreFile.queryPlan(connection, SqliteRecordStore.recordsBetween(by), 0L, 1L))
                        .anyMatch(step -> step.contains("INDEX attempt_records_final"))
                        .noneMatch(step -> step.startsWith("SCAN attempt_records"));
                assertThat(StoreFile.queryPlan(connection, SqliteRecordStore.hoursBetween(by), 0L, 1L))
                        .anyMatch(step -> step.contains("INDEX usage_hours_hour"))
                        .noneMatch(step -> step.startsWith("SCAN usage_hours"));
            }
        }
    }

    @Test
    void forgettingKeepsTheHourOfTheCutoffWholeSoItsTotalsStayTrue() {
        Instant nine = Instant.parse("2026-12-03T09:00:00Z");
        var random = new Random(5);
        var records = new ArrayList<AttemptRecord>();
        for (int minute : new int[] {10, 50, 70, 100, 130}) {
            var r = record(random, minute);
            records.add(new AttemptRecord(r.requestId(), 1, nine.plusSeconds(60L * minute), r.format(),
                    r.requestedModel(), r.servedModel(), r.credential(), r.status(), r.outcome(), r.retryReason(),
                    r.detail(), r.answered(), r.firstOutput(), r.total(), r.usage(), true));
        }
        try (var store = SqliteRecordStore.open(dataDir)) {
            store.saveAll(records);

            assertThat(store.forgetBefore(nine.plusSeconds(60 * 80), 100, () -> { }))
                    .as("those before 10:00 only: 10:10 is in the cutoff's hour").isEqualTo(2);

            var kept = records.subList(2, records.size());
            assertThat(store.recordsOf(records.get(2).requestId())).hasSize(1);
            for (var by : UsageGrouping.values()) {
                assertThat(store.usage(by, RecordQuery.ALL)).isEqualTo(expected(kept, by, RecordQuery.ALL));
            }
        }
    }

    @Test
    void aStoreFromBeforeHourlyTotalsGainsThemFromTheRecordsItHolds() throws Exception {
        var records = records(13, 300);
        try (var store = SqliteRecordStore.open(dataDir)) {
            saveInBatches(store, records);
        }
        try (var connection = StoreFile.connect(dataDir); var statement = connection.createStatement()) {
            statement.execute("DROP TABLE usage_hours");
            statement.execute("UPDATE schema_version SET version = 1");
        }

        try (var store = SqliteRecordStore.open(dataDir)) {
            for (var by : UsageGrouping.values()) {
                assertThat(store.usage(by, RecordQuery.ALL)).isEqualTo(expected(records, by, RecordQuery.ALL));
            }
        }
    }
}
