package dev.tally.rating.store;

import dev.tally.model.messages.AcceptanceMarkerV1;
import dev.tally.model.messages.Headers;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.platform.kafka.StoredOffsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The exactly-once bookkeeping of one poll, in the poll's transaction: the next Kafka offset of each partition
 * ({@code consumer_offset}, claimed first — see {@link StoredOffsets#claim}) and the highest position applied per
 * (topic, partition, ingest outbox row) ({@code applied_batch}). A record at or below that position was re-published
 * by ingest's relay after a crash and is counted already.
 */
final class PollBookkeeping {
    static final String OFFSETS = "consumer_offset";

    /** What becomes of a usage record. */
    enum Admission {
        /** first seen: fold it */
        NEW,
        /** at or below its outbox row's applied position: skip it */
        APPLIED_BEFORE,
        /** without the position headers: set it aside */
        NO_POSITION
    }

    private record BatchKey(String topic, int partition, long outboxId) {
    }

    private final Map<BatchKey, Integer> highWater;
    private final Map<BatchKey, Integer> changedHighWater = new HashMap<>();
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();

    private PollBookkeeping(Map<BatchKey, Integer> highWater) {
        this.highWater = highWater;
    }

    /** Claims the poll's partitions and loads the applied positions of its outbox rows; first in the transaction. */
    static PollBookkeeping begin(Connection c, List<ConsumerRecord<String, String>> records) throws SQLException {
        StoredOffsets.claim(c, OFFSETS, StoredOffsets.firstOffsets(records));
        return new PollBookkeeping(loadHighWater(c, records));
    }

    /** Every record read moves its partition's next offset, whatever becomes of it. */
    void consumed(ConsumerRecord<String, String> r) {
        nextOffsets.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
    }

    /** Whether a usage record is new; a new one's position is recorded as applied (even if it is then set aside). */
    Admission admit(ConsumerRecord<String, String> r) {
        BatchKey batch = batchKey(r);
        if (batch == null) {
            return Admission.NO_POSITION;
        }
        int position = (int) RecordHeaders.number(r, Headers.POSITION);
        Integer last = highWater.get(batch);
        if (last != null && position <= last) {
            return Admission.APPLIED_BEFORE;
        }
        highWater.put(batch, position);
        changedHighWater.put(batch, position);
        return Admission.NEW;
    }

    /** Stores the new applied positions and the next offsets. */
    void save(Connection c) throws SQLException {
        saveHighWater(c, changedHighWater);
        StoredOffsets.save(c, OFFSETS, nextOffsets);
    }

    /** Stored next offsets for the given partitions (absent: never consumed). */
    static Map<TopicPartition, Long> offsets(DataSource dataSource, Collection<TopicPartition> partitions) throws SQLException {
        return StoredOffsets.read(dataSource, OFFSETS, partitions);
    }

    private static BatchKey batchKey(ConsumerRecord<String, String> r) {
        try {
            RecordHeaders.number(r, Headers.POSITION);
            return new BatchKey(r.topic(), r.partition(), RecordHeaders.number(r, Headers.OUTBOX_ID));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<BatchKey, Integer> loadHighWater(Connection c, List<ConsumerRecord<String, String>> records) throws SQLException {
        Map<BatchKey, Integer> out = new HashMap<>();
        List<String> topics = new ArrayList<>();
        List<Integer> partitions = new ArrayList<>();
        List<Long> outboxIds = new ArrayList<>();
        Set<BatchKey> seen = new HashSet<>();
        for (ConsumerRecord<String, String> r : records) {
            BatchKey k = RecordHeaders.is(r, Headers.SCHEMA, AcceptanceMarkerV1.SCHEMA) ? null : batchKey(r);
            if (k != null && seen.add(k)) {
                topics.add(k.topic());
                partitions.add(k.partition());
                outboxIds.add(k.outboxId());
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select b.topic, b.kafka_partition, b.outbox_id, b.last_position
                from applied_batch b
                join unnest(?::text[], ?::int[], ?::bigint[]) as k(topic, kafka_partition, outbox_id)
                  on b.topic = k.topic and b.kafka_partition = k.kafka_partition and b.outbox_id = k.outbox_id""")) {
            ps.setArray(1, c.createArrayOf("text", topics.toArray()));
            ps.setArray(2, c.createArrayOf("int4", partitions.toArray()));
            ps.setArray(3, c.createArrayOf("int8", outboxIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new BatchKey(rs.getString(1), rs.getInt(2), rs.getLong(3)), rs.getInt(4));
                }
            }
        }
        return out;
    }

    private static void saveHighWater(Connection c, Map<BatchKey, Integer> changed) throws SQLException {
        if (changed.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into applied_batch (topic, kafka_partition, outbox_id, last_position) values (?, ?, ?, ?)
                on conflict (topic, kafka_partition, outbox_id) do update
                  set last_position = greatest(applied_batch.last_position, excluded.last_position)""")) {
            for (Map.Entry<BatchKey, Integer> e : changed.entrySet()) {
                ps.setString(1, e.getKey().topic());
                ps.setInt(2, e.getKey().partition());
                ps.setLong(3, e.getKey().outboxId());
                ps.setInt(4, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
