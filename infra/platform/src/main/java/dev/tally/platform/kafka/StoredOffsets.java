package dev.tally.platform.kafka;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka positions kept in a service's own Postgres table ({@code topic, kafka_partition, next_offset,
 * updated_at}), written in the transaction that applied the records — the exactly-once half of
 * {@link StoredOffsetsConsumer}. {@code table} is a constant of the calling service, never input.
 */
public final class StoredOffsets {
    private StoredOffsets() {
    }

    /** Stored next offsets for the partitions (absent: never consumed). */
    public static Map<TopicPartition, Long> read(DataSource dataSource, String table, Collection<TopicPartition> partitions)
            throws SQLException {
        Map<TopicPartition, Long> out = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select next_offset from " + table + " where topic = ? and kafka_partition = ?")) {
            for (TopicPartition tp : partitions) {
                ps.setString(1, tp.topic());
                ps.setInt(2, tp.partition());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.put(tp, rs.getLong(1));
                    }
                }
            }
        }
        return out;
    }

    /** Records the next offsets, in the caller's transaction. */
    public static void save(Connection c, String table, Map<TopicPartition, Long> offsets) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into " + table + " (topic, kafka_partition, next_offset) values (?, ?, ?)"
                + " on conflict (topic, kafka_partition) do update set next_offset = excluded.next_offset, updated_at = now()")) {
            for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
                ps.setString(1, e.getKey().topic());
                ps.setInt(2, e.getKey().partition());
                ps.setLong(3, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
