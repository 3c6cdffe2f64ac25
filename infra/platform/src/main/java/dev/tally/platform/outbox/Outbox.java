package dev.tally.platform.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import javax.sql.DataSource;

/**
 * Appends to the service's outbox inside the caller's transaction. Never call Kafka from a
 * business method: write here, and the {@link OutboxRelay} publishes after commit.
 */
@ApplicationScoped
public class Outbox {
    @Inject
    DataSource dataSource;

    /** Appends one row (in the current JTA transaction) and returns its id. */
    public long append(String topic, String schema, List<OutboxRecord> records) {
        try (Connection c = dataSource.getConnection()) {
            return append(c, topic, schema, records);
        } catch (SQLException e) {
            throw new IllegalStateException("outbox append failed", e);
        }
    }

    /** Appends one row on the given connection (whose transaction the caller controls). */
    public static long append(Connection c, String topic, String schema, List<OutboxRecord> records) throws SQLException {
        return append(c, topic, schema, records, null);
    }

    /**
     * Appends one row with a pre-drawn id (from the outbox id sequence) when {@code id} is not null,
     * so rows that reference the outbox entry can be written first in the same transaction.
     */
    public static long append(Connection c, String topic, String schema, List<OutboxRecord> records, Long id) throws SQLException {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("an outbox row needs at least one record");
        }
        int n = records.size();
        String[] keys = new String[n];
        String[] payloads = new String[n];
        String[] traces = new String[n];
        for (int i = 0; i < n; i++) {
            OutboxRecord r = records.get(i);
            keys[i] = r.key();
            payloads[i] = r.payload();
            traces[i] = r.traceparent() == null ? "" : r.traceparent();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "insert into outbox (id, topic, schema_name, keys, payloads, traceparents) "
                        + "values (coalesce(?, nextval(pg_get_serial_sequence('outbox', 'id'))), ?, ?, ?, ?, ?) returning id")) {
            ps.setObject(1, id, Types.BIGINT);
            ps.setString(2, topic);
            ps.setString(3, schema);
            ps.setArray(4, c.createArrayOf("text", keys));
            ps.setArray(5, c.createArrayOf("text", payloads));
            ps.setArray(6, c.createArrayOf("text", traces));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
