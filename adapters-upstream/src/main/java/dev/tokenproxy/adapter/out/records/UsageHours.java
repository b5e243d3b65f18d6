package dev.tokenproxy.adapter.out.records;

import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.record.AttemptRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The billable records' count and tokens per hour and per upstream, account, requested and served model and status,
 * kept by the writer in the transaction that stores the records. A usage report adds up these rows for the whole hours
 * of its range and reads records only for the parts of an hour at its ends, so it costs the hours and groups it covers
 * rather than every record stored: summing the records themselves took 0.5 s at a million (a month at 0.4 requests a
 * second), and a month at 100 a second would have taken minutes (benchmark.md, twenty-first pass).
 *
 * <p>Retention forgets whole hours ({@link #hourOf}), so that no hour's totals count records already forgotten.
 */
final class UsageHours {

    static final long HOUR_MS = 3_600_000;

    /** {@code IS}, not {@code =}: a record may lack a served model or a credential, and NULL equals nothing. */
    private static final String ADD = "UPDATE usage_hours SET requests = requests + ?, input_tokens = input_tokens + ?, "
            + "cached_input_tokens = cached_input_tokens + ?, cache_write_tokens = cache_write_tokens + ?, "
            + "output_tokens = output_tokens + ?, reasoning_tokens = reasoning_tokens + ? WHERE hour_ms = ? AND "
            + "upstream_id IS ? AND credential_id IS ? AND requested_model = ? AND served_model IS ? AND status = ?";
    private static final String START = "INSERT INTO usage_hours (requests, input_tokens, cached_input_tokens, "
            + "cache_write_tokens, output_tokens, reasoning_tokens, hour_ms, upstream_id, credential_id, "
            + "requested_model, served_model, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static final String FORGET = "DELETE FROM usage_hours WHERE hour_ms < ?";

    /** Compiled at first use and kept, as the record inserts are; used under the store's writing lock only. */
    private PreparedStatement add;
    private PreparedStatement start;

    /** The start of the hour {@code epochMillis} falls in. */
    static long hourOf(long epochMillis) {
        return epochMillis - Math.floorMod(epochMillis, HOUR_MS);
    }

    /** The first whole hour that starts at or after {@code epochMillis}. */
    static long wholeHourFrom(long epochMillis) {
        long hour = hourOf(epochMillis);
        return hour == epochMillis ? hour : hour + HOUR_MS;
    }

    /** Adds the billable ones among {@code records} to their hours' totals, within the writer's transaction. */
    void count(Connection writer, List<AttemptRecord> records) throws SQLException {
        Map<Group, long[]> totals = new HashMap<>();
        for (var record : records) {
            if (record.billable()) {
                var usage = record.usage();
                long[] sums = totals.computeIfAbsent(Group.of(record), group -> new long[6]);
                sums[0]++;
                sums[1] += usage.input();
                sums[2] += usage.cachedInput();
                sums[3] += usage.cacheWrite();
                sums[4] += usage.output();
                sums[5] += usage.reasoning();
            }
        }
        for (var total : totals.entrySet()) {
            add = add != null ? add : writer.prepareStatement(ADD);
            bind(add, total.getKey(), total.getValue());
            if (add.executeUpdate() == 0) {
                start = start != null ? start : writer.prepareStatement(START);
                bind(start, total.getKey(), total.getValue());
                start.executeUpdate();
            }
        }
    }

    /** Drops the kept statements after a failed transaction: they are compiled afresh next time. */
    void forgetStatements() {
        for (var statement : new PreparedStatement[] {add, start}) {
            try {
                if (statement != null) {
                    statement.close();
                }
            } catch (SQLException ignored) {
                // A failed transaction already reported: nothing is left to do with this one.
            }
        }
        add = null;
        start = null;
    }

    private static void bind(PreparedStatement statement, Group group, long[] sums) throws SQLException {
        int i = 0;
        for (long sum : sums) {
            statement.setLong(++i, sum);
        }
        statement.setLong(++i, group.hour());
        setOptional(statement, ++i, group.upstream());
        setOptional(statement, ++i, group.credential());
        statement.setString(++i, group.requestedModel());
        setOptional(statement, ++i, group.servedModel());
        statement.setInt(++i, group.status());
    }

    private static void setOptional(PreparedStatement statement, int index, String value) throws SQLException {
        if (value != null) {
            statement.setString(index, value);
        } else {
            statement.setNull(index, Types.VARCHAR);
        }
    }

    /** One row of the table: what a report may filter or group by, to the hour. Absent values are null. */
    private record Group(long hour, String upstream, String credential, String requestedModel, String servedModel,
                         int status) {
        static Group of(AttemptRecord record) {
            Optional<CredentialKey> credential = record.credential();
            return new Group(hourOf(record.at().toEpochMilli()),
                    credential.map(CredentialKey::upstreamId).orElse(null),
                    credential.map(CredentialKey::credentialId).orElse(null), record.requestedModel(),
                    record.servedModel().orElse(null), record.status());
        }
    }
}
