package dev.tokenproxy.adapter.out.records;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The store's schema as forward-only migrations: version n is reached by applying migration n to version n - 1, each
 * in one transaction that also notes the new version. A released migration is never edited; a change is a new one.
 */
final class RecordSchema {

    private static final System.Logger LOG = System.getLogger(RecordSchema.class.getName());

    private static final List<List<String>> MIGRATIONS = List.of(
            List.of("""
                    CREATE TABLE attempt_records (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      request_id TEXT NOT NULL,
                      attempt INTEGER NOT NULL,
                      at_ms INTEGER NOT NULL,
                      format TEXT NOT NULL,
                      requested_model TEXT NOT NULL,
                      served_model TEXT,
                      upstream_id TEXT,
                      credential_id TEXT,
                      status INTEGER NOT NULL,
                      outcome TEXT NOT NULL,
                      retry_reason TEXT,
                      detail TEXT,
                      answered INTEGER NOT NULL,
                      first_output_ms INTEGER,
                      total_ms INTEGER NOT NULL,
                      input_tokens INTEGER NOT NULL,
                      cached_input_tokens INTEGER NOT NULL,
                      cache_write_tokens INTEGER NOT NULL,
                      output_tokens INTEGER NOT NULL,
                      reasoning_tokens INTEGER NOT NULL,
                      billable INTEGER NOT NULL,
                      final INTEGER NOT NULL)""",
                    "CREATE INDEX attempt_records_request ON attempt_records (request_id, attempt)",
                    "CREATE INDEX attempt_records_final ON attempt_records (final, at_ms)"),
            // Billable records' totals per hour (UsageHours), counted from the records already stored.
            List.of("""
                    CREATE TABLE usage_hours (
                      hour_ms INTEGER NOT NULL,
                      upstream_id TEXT,
                      credential_id TEXT,
                      requested_model TEXT NOT NULL,
                      served_model TEXT,
                      status INTEGER NOT NULL,
                      requests INTEGER NOT NULL,
                      input_tokens INTEGER NOT NULL,
                      cached_input_tokens INTEGER NOT NULL,
                      cache_write_tokens INTEGER NOT NULL,
                      output_tokens INTEGER NOT NULL,
                      reasoning_tokens INTEGER NOT NULL)""",
                    "CREATE INDEX usage_hours_hour ON usage_hours (hour_ms)",
                    """
                    INSERT INTO usage_hours
                    SELECT at_ms - ((at_ms % 3600000) + 3600000) % 3600000, upstream_id, credential_id, requested_model,
                      served_model, status, COUNT(*), SUM(input_tokens), SUM(cached_input_tokens),
                      SUM(cache_write_tokens), SUM(output_tokens), SUM(reasoning_tokens)
                    FROM attempt_records WHERE billable = 1 GROUP BY 1, 2, 3, 4, 5, 6"""));

    private RecordSchema() {
    }

    static int latest() {
        return MIGRATIONS.size();
    }

    /**
     * Brings the store up to the latest version.
     *
     * @throws IllegalStateException when the store was written by a newer version of the gateway
     */
    static void migrate(Connection connection) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        }
        int current = currentVersion(connection);
        if (current > latest()) {
            throw new IllegalStateException("it has schema version " + current + ", newer than this token-proxy "
                    + "knows (" + latest() + "); run the newer version or move the file away");
        }
        for (int version = current + 1; version <= latest(); version++) {
            if (current > 0) {
                // A migration may go through every record stored (a million took about a second): say why start waits.
                LOG.log(Level.INFO, "record store: bringing the schema from version {0} to {1}", version - 1, version);
            }
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                for (String sql : MIGRATIONS.get(version - 1)) {
                    statement.execute(sql);
                }
                statement.execute("DELETE FROM schema_version");
                statement.execute("INSERT INTO schema_version (version) VALUES (" + version + ")");
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    static int currentVersion(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rows.next() ? rows.getInt(1) : 0;
        }
    }
}
