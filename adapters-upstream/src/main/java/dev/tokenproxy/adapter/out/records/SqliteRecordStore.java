package dev.tokenproxy.adapter.out.records;

import dev.tokenproxy.application.model.RecordQuery;
import dev.tokenproxy.application.model.RecordsUnavailableException;
import dev.tokenproxy.application.model.UsageGrouping;
import dev.tokenproxy.application.model.UsageTotal;
import dev.tokenproxy.application.port.out.LoadRecordsPort;
import dev.tokenproxy.application.port.out.RecordStorePort;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.record.AttemptRecord;
import dev.tokenproxy.domain.record.RecordOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * Attempt records in an embedded SQLite file under {@code data_dir}, migrated when opened. One connection writes (the
 * record queue's thread), another reads (admin requests) on a platform thread of its own ({@link RecordReads}); WAL
 * lets the reader run while a batch is written. A third, on a platform thread of its own too, copies the write-ahead
 * log into the file beside the writer, and truncates it while the writer waits ({@link WalCheckpointer}).
 */
public final class SqliteRecordStore implements RecordStorePort, LoadRecordsPort, AutoCloseable {

    public static final String FILE_NAME = "records.db";
    /** How long a write waits for a lock held elsewhere before it counts as failed. */
    private static final int BUSY_TIMEOUT_MILLIS = 2_000;
    /**
     * Rows per run of the insert within a batch's one transaction: one statement that inserts them all, run by one
     * native call that holds its carrier until it is done. The writer gives way between runs, and a request that
     * became ready meanwhile waits for at most one run: 16 rows take ~60 µs, where 64 took ~250 µs and lifted a lone
     * client's p90 by ~20 µs more (benchmark.md, eighteenth pass), for ~4% less per record. One statement of several
     * rows, rather than a batch of one-row statements, saves SQLite's step and reset for each row (benchmark.md,
     * fourteenth pass).
     */
    static final int ROWS_PER_RUN = 16;
    /** Rows per statement when forgetting old records, each its own transaction: ~0.3 ms each. */
    static final int FORGET_ROWS_PER_RUN = 128;

    private static final String COLUMNS = "request_id, attempt, at_ms, format, requested_model, served_model, "
            + "upstream_id, credential_id, status, outcome, retry_reason, detail, answered, first_output_ms, total_ms, "
            + "input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, billable, final";
    private static final int COLUMN_COUNT = COLUMNS.split(",").length;
    private static final String ROW = "(" + String.join(", ", Collections.nCopies(COLUMN_COUNT, "?")) + ")";
    private static final String INSERT_ONE = "INSERT INTO attempt_records (" + COLUMNS + ") VALUES " + ROW;
    private static final String INSERT_RUN = "INSERT INTO attempt_records (" + COLUMNS + ") VALUES "
            + String.join(", ", Collections.nCopies(ROWS_PER_RUN, ROW));

    static final String FORGET_RUN = "DELETE FROM attempt_records WHERE id IN (SELECT id FROM "
            // "final IN (0, 1)" holds for every row and lets SQLite find the old ones by the (final, at_ms) index
            // instead of reading the whole table for each run.
            + "attempt_records WHERE final IN (0, 1) AND at_ms < ? LIMIT ?)";

    private final Path file;
    private final Connection writer;
    private final RecordReads reads;
    private final WalCheckpointer checkpointer;
    /**
     * Held while the writer's connection is used. A lock rather than a monitor: the writer gives way inside it (parks),
     * and on JDK 21 a virtual thread that parks inside {@code synchronized} keeps its carrier.
     */
    private final ReentrantLock writing = new ReentrantLock();
    /**
     * The inserts, compiled at first use and kept: compiling again for every batch was about a third of what a batch
     * of one record costs, which is every batch when traffic is sparse (benchmark.md, fifth pass). {@code insertRun}
     * takes whole runs, {@code insertOne} the rows after the last whole run. Guarded by {@link #writing}.
     */
    private PreparedStatement insertRun;
    private PreparedStatement insertOne;
    /** The hourly totals of billable records, counted in each batch's transaction. Guarded by {@link #writing}. */
    private final UsageHours usageHours = new UsageHours();

    private SqliteRecordStore(Path file, Connection writer, RecordReads reads, WalCheckpointer checkpointer) {
        this.file = file;
        this.writer = writer;
        this.reads = reads;
        this.checkpointer = checkpointer;
    }

    /**
     * Loads the SQLite driver and its native library (kept under {@code dataDir} between starts), which was a tenth of
     * the gateway's start-up: a caller may do it on another thread while the rest starts, and {@link #open} then finds
     * it done. Failing here changes nothing: {@link #open} meets the same failure and reports it.
     */
    public static void loadDriver(Path dataDir) {
        try {
            KeptNativeLibrary.use(nativeFolder(dataDir));
            org.sqlite.SQLiteJDBCLoader.initialize();
            DriverManager.getDrivers();
        } catch (Exception | LinkageError reportedByOpen) {
            // open() reports it with the store's path.
        }
    }

    /** Where the copy of SQLite's native library is kept: beside the store, in a folder of its own. */
    static Path nativeFolder(Path dataDir) {
        return dataDir.resolve("native");
    }

    /**
     * Opens (creating and migrating) the store in {@code dataDir}.
     *
     * @throws StoreUnavailableException with a one-line message naming the file, when it cannot be opened or written
     */
    public static SqliteRecordStore open(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        Connection writer = null;
        Connection reader = null;
        try {
            Files.createDirectories(dataDir);
            KeptNativeLibrary.use(nativeFolder(dataDir));
            writer = connect(file, true);
            try (var statement = writer.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                // NORMAL in WAL mode survives a process crash; only a power cut may lose the last batches.
                statement.execute("PRAGMA synchronous=NORMAL");
                // The writer's commits never copy the log into the file: that copy ends with fsync, which would hold
                // the writer's carrier for as long as the disk takes. WalCheckpointer does it on a thread of its own.
                statement.execute("PRAGMA wal_autocheckpoint=0");
            }
            RecordSchema.migrate(writer);
            reader = connect(file, false);
            var checkpointer = new WalCheckpointer(connect(file, false), file);
            return new SqliteRecordStore(file, writer, new RecordReads(reader), checkpointer);
        } catch (IOException | SQLException | IllegalStateException e) {
            closeQuietly(reader);
            closeQuietly(writer);
            throw new StoreUnavailableException("cannot open the record store " + file + ": " + oneLine(e));
        }
    }

    /**
     * @param oneThreadAtATime the caller lets one thread at a time use the connection (the writer's lock), so SQLite
     *     need not take its own mutex in every call: two for each bound value, ~8% of a record's cost
     */
    private static Connection connect(Path file, boolean oneThreadAtATime) throws SQLException {
        var config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        if (oneThreadAtATime) {
            config.setOpenMode(SQLiteOpenMode.NOMUTEX);
        }
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
    }

    @Override
    public void saveAll(List<AttemptRecord> records) {
        saveAll(records, () -> { });
    }

    @Override
    public void saveAll(List<AttemptRecord> records, Runnable giveWay) {
        writing.lock();
        try {
            saveAllLocked(records, giveWay);
        } finally {
            writing.unlock();
        }
    }

    private void saveAllLocked(List<AttemptRecord> records, Runnable giveWay) {
        checkpointer.beforeWrite(giveWay);
        try {
            writer.setAutoCommit(false);
            try {
                int wholeRuns = records.size() - records.size() % ROWS_PER_RUN;
                for (int start = 0; start < wholeRuns; start += ROWS_PER_RUN) {
                    insertRun = prepared(insertRun, INSERT_RUN);
                    for (int row = 0; row < ROWS_PER_RUN; row++) {
                        bind(insertRun, row * COLUMN_COUNT, records.get(start + row));
                    }
                    insertRun.executeUpdate();
                    giveWay.run();
                }
                if (wholeRuns < records.size()) {
                    insertOne = prepared(insertOne, INSERT_ONE);
                    for (var record : records.subList(wholeRuns, records.size())) {
                        bind(insertOne, 0, record);
                        insertOne.addBatch();
                    }
                    insertOne.executeBatch();
                }
                usageHours.count(writer, records);
                writer.commit();
                checkpointer.committed(records.size(), giveWay);
            } catch (SQLException | RuntimeException e) {
                writer.rollback();
                // Compiled afresh next time: a failure may leave them unusable, or holding rows of this batch.
                closeQuietly(insertRun);
                closeQuietly(insertOne);
                insertRun = null;
                insertOne = null;
                usageHours.forgetStatements();
                throw e;
            } finally {
                writer.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("record store " + file + ": " + oneLine(e));
        }
    }

    /** Waits for the checkpointer's copy under way, if any: for tests, which cannot otherwise tell when it ends. */
    void awaitCheckpointCopy() throws Exception {
        writing.lock();
        try {
            checkpointer.awaitCopy();
        } finally {
            writing.unlock();
        }
    }

    private PreparedStatement prepared(PreparedStatement kept, String sql) throws SQLException {
        return kept != null ? kept : writer.prepareStatement(sql);
    }

    /**
     * Forgets the records before the start of {@code cutoff}'s hour, and those hours' totals, so that no hour's totals
     * count records already forgotten ({@link UsageHours}): records are kept up to an hour longer than retention asks.
     * Runs of {@link #FORGET_ROWS_PER_RUN}, each its own transaction.
     */
    @Override
    public int forgetBefore(Instant cutoff, int atMost, Runnable giveWay) {
        long before = UsageHours.hourOf(cutoff.toEpochMilli());
        int forgotten = 0;
        writing.lock();
        try (var forgetHours = writer.prepareStatement(UsageHours.FORGET);
             var delete = writer.prepareStatement(FORGET_RUN)) {
            forgetHours.setLong(1, before);
            checkpointer.beforeWrite(giveWay);
            checkpointer.committed(forgetHours.executeUpdate(), giveWay);
            delete.setLong(1, before);
            while (forgotten < atMost) {
                int run = Math.min(FORGET_ROWS_PER_RUN, atMost - forgotten);
                delete.setInt(2, run);
                checkpointer.beforeWrite(giveWay);
                int deleted = delete.executeUpdate();
                checkpointer.committed(deleted, giveWay);
                forgotten += deleted;
                if (deleted < run) {
                    break;
                }
                giveWay.run();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("record store " + file + ": " + oneLine(e));
        } finally {
            writing.unlock();
        }
        return forgotten;
    }

    @Override
    public List<AttemptRecord> requests(RecordQuery query) {
        var where = Filter.of(query);
        String sql = "SELECT " + COLUMNS + " FROM attempt_records WHERE final = 1" + where.sql()
                + " ORDER BY at_ms DESC, id DESC LIMIT ? OFFSET ?";
        var arguments = new ArrayList<>(where.arguments());
        arguments.add(query.limit());
        arguments.add(query.offset());
        return select(sql, arguments, SqliteRecordStore::read);
    }

    @Override
    public List<AttemptRecord> recordsOf(String requestId) {
        return select("SELECT " + COLUMNS + " FROM attempt_records WHERE request_id = ? ORDER BY attempt, id",
                List.of(requestId), SqliteRecordStore::read);
    }

    /**
     * Adds up the hourly totals ({@link UsageHours}) for the whole hours in the query's range, and the records
     * themselves for the parts of an hour at its ends.
     */
    @Override
    public List<UsageTotal> usage(UsageGrouping by, RecordQuery query) {
        var keys = Filter.keysOf(query);
        long from = query.from().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
        long to = query.to().map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
        long wholeFrom = query.from().isPresent() ? UsageHours.wholeHourFrom(from) : from;
        long wholeTo = query.to().isPresent() ? UsageHours.hourOf(to) : to;
        var parts = new ArrayList<String>();
        var arguments = new ArrayList<>();
        if (wholeFrom < wholeTo) {
            parts.add(hoursBetween(by) + keys.sql());
            arguments.addAll(List.of(wholeFrom, wholeTo));
            arguments.addAll(keys.arguments());
            addRecordsPart(parts, arguments, by, keys, from, wholeFrom);
            addRecordsPart(parts, arguments, by, keys, wholeTo, to);
        } else {
            addRecordsPart(parts, arguments, by, keys, from, to);
        }
        if (parts.isEmpty()) {
            return List.of();
        }
        String sql = "SELECT grp, SUM(n), SUM(i), SUM(c), SUM(w), SUM(o), SUM(r) FROM ("
                + String.join(" UNION ALL ", parts) + ") GROUP BY grp ORDER BY grp";
        return select(sql, arguments, rows -> new UsageTotal(rows.getString(1), rows.getLong(2),
                new TokenUsage(rows.getLong(3), rows.getLong(4), rows.getLong(5), rows.getLong(6), rows.getLong(7))));
    }

    /** The billable records from {@code from} (inclusive) to {@code to}, if that is not empty, found by the index. */
    private static void addRecordsPart(List<String> parts, List<Object> arguments, UsageGrouping by, Filter keys,
                                       long from, long to) {
        if (from < to) {
            parts.add(recordsBetween(by) + keys.sql());
            arguments.addAll(List.of(from, to));
            arguments.addAll(keys.arguments());
        }
    }

    /** The hourly totals of the hours from the first argument (inclusive) to the second, as a report's rows. */
    static String hoursBetween(UsageGrouping by) {
        return "SELECT " + group(by, "hour_ms") + " AS grp, requests AS n, input_tokens AS i, cached_input_tokens AS c, "
                + "cache_write_tokens AS w, output_tokens AS o, reasoning_tokens AS r FROM usage_hours "
                + "WHERE hour_ms >= ? AND hour_ms < ?";
    }

    /** The billable records from the first argument (inclusive) to the second, as a report's rows. */
    static String recordsBetween(UsageGrouping by) {
        // Billable records are final ones: "final = 1" lets SQLite find the range by the (final, at_ms) index.
        return "SELECT " + group(by, "at_ms") + " AS grp, 1 AS n, input_tokens AS i, cached_input_tokens AS c, "
                + "cache_write_tokens AS w, output_tokens AS o, reasoning_tokens AS r FROM attempt_records "
                + "WHERE final = 1 AND billable = 1 AND at_ms >= ? AND at_ms < ?";
    }

    /** What a usage report groups by, in the columns that records and hourly totals share. */
    private static String group(UsageGrouping by, String timeColumn) {
        return switch (by) {
            case DAY -> "strftime('%Y-%m-%d', " + timeColumn + " / 1000, 'unixepoch')";
            case UPSTREAM -> "COALESCE(upstream_id, '-')";
            case ACCOUNT -> "COALESCE(upstream_id, '-') || '/' || COALESCE(credential_id, '-')";
            case MODEL -> "COALESCE(served_model, requested_model)";
        };
    }

    /** One row of a result, as what a read returns. */
    @FunctionalInterface
    private interface Row<T> {
        T of(ResultSet rows) throws SQLException;
    }

    /** Runs a query on the reader's thread ({@link RecordReads}), each row made into a {@code T}. */
    private <T> List<T> select(String sql, List<?> arguments, Row<T> row) {
        try {
            return reads.run(connection -> {
                var result = new ArrayList<T>();
                try (var select = connection.prepareStatement(sql)) {
                    bindAll(select, arguments);
                    try (var rows = select.executeQuery()) {
                        while (rows.next()) {
                            result.add(row.of(rows));
                        }
                    }
                }
                return result;
            });
        } catch (SQLException e) {
            throw new StoreUnavailableException("record store " + file + ": " + oneLine(e));
        }
    }

    /** The optional filters of a query as SQL conditions, each with its argument. */
    private record Filter(String sql, List<Object> arguments) {

        /** All of the query's filters. */
        static Filter of(RecordQuery query) {
            return build(query, true);
        }

        /** The filters on what records and hourly totals share: all but the time range. */
        static Filter keysOf(RecordQuery query) {
            return build(query, false);
        }

        private static Filter build(RecordQuery query, boolean withTime) {
            var sql = new StringBuilder();
            var arguments = new ArrayList<>();
            if (withTime) {
                query.from().ifPresent(from -> add(sql, arguments, " AND at_ms >= ?", from.toEpochMilli()));
                query.to().ifPresent(to -> add(sql, arguments, " AND at_ms < ?", to.toEpochMilli()));
            }
            query.upstream().ifPresent(id -> add(sql, arguments, " AND upstream_id = ?", id));
            query.account().ifPresent(id -> add(sql, arguments, " AND credential_id = ?", id));
            query.model().ifPresent(model -> {
                add(sql, arguments, " AND (requested_model = ?", model);
                add(sql, arguments, " OR served_model = ?)", model);
            });
            query.status().ifPresent(status -> add(sql, arguments, " AND status = ?", status));
            return new Filter(sql.toString(), List.copyOf(arguments));
        }

        private static void add(StringBuilder sql, List<Object> arguments, String condition, Object argument) {
            sql.append(condition);
            arguments.add(argument);
        }
    }

    private static void bindAll(PreparedStatement statement, List<?> arguments) throws SQLException {
        for (int i = 0; i < arguments.size(); i++) {
            statement.setObject(i + 1, arguments.get(i));
        }
    }

    /** Binds the record's columns to the parameters after {@code i}: its row's place in a statement of several. */
    private static void bind(PreparedStatement insert, int offset, AttemptRecord record) throws SQLException {
        int i = offset;
        insert.setString(++i, record.requestId());
        insert.setInt(++i, record.attempt());
        insert.setLong(++i, record.at().toEpochMilli());
        insert.setString(++i, record.format().name().toLowerCase(java.util.Locale.ROOT));
        insert.setString(++i, record.requestedModel());
        setOptional(insert, ++i, record.servedModel());
        setOptional(insert, ++i, record.credential().map(CredentialKey::upstreamId));
        setOptional(insert, ++i, record.credential().map(CredentialKey::credentialId));
        insert.setInt(++i, record.status());
        insert.setString(++i, record.outcome().name());
        setOptional(insert, ++i, record.retryReason().map(RetryReason::name));
        setOptional(insert, ++i, record.detail());
        insert.setInt(++i, record.answered() ? 1 : 0);
        if (record.firstOutput().isPresent()) {
            insert.setLong(++i, record.firstOutput().get().toMillis());
        } else {
            insert.setNull(++i, Types.INTEGER);
        }
        insert.setLong(++i, record.total().toMillis());
        var usage = record.usage();
        insert.setLong(++i, usage.input());
        insert.setLong(++i, usage.cachedInput());
        insert.setLong(++i, usage.cacheWrite());
        insert.setLong(++i, usage.output());
        insert.setLong(++i, usage.reasoning());
        insert.setInt(++i, record.billable() ? 1 : 0);
        // The record that says how the request ended: the billable one, or the refusal of a request never tried.
        insert.setInt(++i, record.billable() || record.attempt() == 0 ? 1 : 0);
    }

    private static void setOptional(PreparedStatement statement, int index, Optional<String> value)
            throws SQLException {
        if (value.isPresent()) {
            statement.setString(index, value.get());
        } else {
            statement.setNull(index, Types.VARCHAR);
        }
    }

    private static AttemptRecord read(ResultSet rows) throws SQLException {
        String upstream = rows.getString("upstream_id");
        String credentialId = rows.getString("credential_id");
        long firstOutput = rows.getLong("first_output_ms");
        boolean hasFirstOutput = !rows.wasNull();
        return new AttemptRecord(rows.getString("request_id"), rows.getInt("attempt"),
                Instant.ofEpochMilli(rows.getLong("at_ms")),
                InboundFormat.valueOf(rows.getString("format").toUpperCase(java.util.Locale.ROOT)),
                rows.getString("requested_model"), Optional.ofNullable(rows.getString("served_model")),
                upstream == null || credentialId == null ? Optional.empty()
                        : Optional.of(new CredentialKey(upstream, credentialId)),
                rows.getInt("status"), RecordOutcome.valueOf(rows.getString("outcome")),
                Optional.ofNullable(rows.getString("retry_reason")).map(RetryReason::valueOf),
                Optional.ofNullable(rows.getString("detail")), rows.getInt("answered") == 1,
                hasFirstOutput ? Optional.of(Duration.ofMillis(firstOutput)) : Optional.empty(),
                Duration.ofMillis(rows.getLong("total_ms")),
                new TokenUsage(rows.getLong("input_tokens"), rows.getLong("cached_input_tokens"),
                        rows.getLong("cache_write_tokens"), rows.getLong("output_tokens"),
                        rows.getLong("reasoning_tokens")),
                rows.getInt("billable") == 1);
    }

    @Override
    public void close() {
        reads.close();
        writing.lock();
        try {
            // Under the lock: a write still under way may hand the checkpointer one more checkpoint.
            checkpointer.stop();
            // The last connection to close copies what is left of the log into the file and removes the log.
            closeQuietly(writer);
        } finally {
            writing.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (Exception ignored) {
                // Closing at shutdown or after a failure: nothing is left to do with an error.
            }
        }
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replace('\n', ' ').strip();
    }

    /** The store cannot be opened, written or read; the message is one line naming the file. */
    public static final class StoreUnavailableException extends RecordsUnavailableException {
        public StoreUnavailableException(String message) {
            super(message);
        }
    }
}
