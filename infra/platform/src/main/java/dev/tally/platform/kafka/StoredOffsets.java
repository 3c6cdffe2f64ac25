package dev.tally.platform.kafka;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka positions kept in a service's own Postgres table ({@code topic, kafka_partition, next_offset,
 * updated_at}), not in Kafka's committed offsets. As a {@link PollLoop}'s {@link Offsets} it seeks, on every
 * assignment and after any failed poll, to what the last committed transaction recorded (the beginning for
 * partitions never consumed); the handler {@link #claim claims} the poll's partitions and {@link #save saves} the
 * next offsets in the transaction that applies the records. So a crash, restart or rebalance anywhere repeats
 * nothing and loses nothing. {@code table} is a constant of the calling service, never input.
 */
public final class StoredOffsets implements Offsets {
    /** The stored next offsets of these partitions (absent: never consumed): the service's store reading its table. */
    @FunctionalInterface
    public interface Reader {
        Map<TopicPartition, Long> read(Collection<TopicPartition> partitions) throws Exception;
    }

    private final Reader stored;

    public StoredOffsets(Reader stored) {
        this.stored = stored;
    }

    @Override
    public void subscribe(Consumer<String, String> c, String topic) {
        c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // nothing buffered: every applied poll is already committed in Postgres
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                seekToStored(c, partitions);
            }
        });
    }

    @Override
    public void rewind(Consumer<String, String> c) {
        seekToStored(c, c.assignment());
    }

    /** Nothing to do: the handler saved the next offsets in its own transaction. */
    @Override
    public void handled(Consumer<String, String> c) {
    }

    private void seekToStored(Consumer<String, String> c, Collection<TopicPartition> partitions) {
        try {
            Map<TopicPartition, Long> next = stored.read(partitions);
            List<TopicPartition> fresh = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                Long offset = next.get(tp);
                if (offset == null) {
                    fresh.add(tp);
                } else {
                    c.seek(tp, offset);
                }
            }
            if (!fresh.isEmpty()) {
                c.seekToBeginning(fresh);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read stored offsets", e);
        }
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

    /** A poll that starts behind what is stored: another consumer applied these records already. */
    public static final class StalePositionException extends IllegalStateException {
        StalePositionException(String message) {
            super(message);
        }
    }

    /** The first offset of each partition in a poll (records of a partition come in offset order). */
    public static Map<TopicPartition, Long> firstOffsets(Iterable<? extends ConsumerRecord<?, ?>> records) {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (records instanceof ConsumerRecords<?, ?> poll) { // per partition, not per record (a poll holds up to 50,000)
            for (TopicPartition tp : poll.partitions()) {
                out.put(tp, poll.records(tp).get(0).offset());
            }
            return out;
        }
        for (var r : records) {
            out.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
        }
        return out;
    }

    /**
     * Claims the poll's partitions at the start of the caller's transaction: locks their rows (creating
     * them at the poll's first offsets if new) and refuses the poll if any stored position lies beyond
     * the poll's first offset — a consumer that lost its partitions in a rebalance (paused past its
     * session, or slow on a big poll) and still holds records the new owner has since applied. Without
     * this, both would commit the same records. The lock also serializes two such consumers.
     *
     * @throws StalePositionException the caller rolls back and re-reads from the stored offsets
     */
    public static void claim(Connection c, String table, Map<TopicPartition, Long> firstOffsets) throws SQLException {
        List<TopicPartition> sorted = new ArrayList<>(firstOffsets.keySet());
        sorted.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        try (PreparedStatement insert = c.prepareStatement("insert into " + table + " (topic, kafka_partition, next_offset) values (?, ?, ?)"
                + " on conflict (topic, kafka_partition) do nothing");
             PreparedStatement lock = c.prepareStatement("select next_offset from " + table
                     + " where topic = ? and kafka_partition = ? for update")) {
            for (TopicPartition tp : sorted) {
                insert.setString(1, tp.topic());
                insert.setInt(2, tp.partition());
                insert.setLong(3, firstOffsets.get(tp));
                insert.executeUpdate();
                lock.setString(1, tp.topic());
                lock.setInt(2, tp.partition());
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    long stored = rs.getLong(1);
                    if (stored > firstOffsets.get(tp)) {
                        throw new StalePositionException(tp + ": this poll starts at " + firstOffsets.get(tp) + " but " + stored
                                + " is already applied (the partition moved to another consumer); re-reading from the stored offset");
                    }
                }
            }
        }
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
