package dev.tokenproxy.adapter.out.records;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The store's file seen from outside the store: what another process could do to it, and how SQLite reads a query. */
final class StoreFile {

    private StoreFile() {
    }

    /** A connection of the test's own to the store in {@code dataDir}, beside the store's. */
    static Connection connect(Path dataDir) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteRecordStore.FILE_NAME));
    }

    /** The steps of SQLite's plan for {@code sql}, its parameters bound to {@code arguments}. */
    static List<String> queryPlan(Connection connection, String sql, Object... arguments) throws SQLException {
        try (var explain = connection.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
            for (int i = 0; i < arguments.length; i++) {
                explain.setObject(i + 1, arguments[i]);
            }
            var plan = new ArrayList<String>();
            try (var rows = explain.executeQuery()) {
                while (rows.next()) {
                    plan.add(rows.getString("detail"));
                }
            }
            return plan;
        }
    }
}
