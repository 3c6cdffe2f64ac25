package dev.tally.rating.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AcceptanceMarkerV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.messages.WatermarkV1;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Watermarks: ingest's acceptance markers raise each partition's bound in {@code partition_watermark} (never moving
 * one back), and each bound that rose is announced as a {@link WatermarkV1} on {@code tally.watermarks}.
 */
@ApplicationScoped
class Watermarks {
    @Inject
    ObjectMapper json;
    @Inject
    Clock clock;

    /** The bound an acceptance marker carries: every event accepted before it is on the partition ahead of the marker. */
    Instant acceptedBefore(ConsumerRecord<String, String> r) throws Exception {
        return json.readValue(r.value(), AcceptanceMarkerV1.class).acceptedBefore();
    }

    /** Stores the partitions' new bounds and writes a WatermarkV1 to the outbox for each that advanced. */
    void advance(Connection c, Map<TopicPartition, Instant> markers) throws Exception {
        List<OutboxRecord> out = new ArrayList<>();
        Instant now = clock.instant();
        try (PreparedStatement ps = c.prepareStatement("""
                insert into partition_watermark as w (topic, kafka_partition, accepted_before) values (?, ?, ?)
                on conflict (topic, kafka_partition) do update set accepted_before = excluded.accepted_before, updated_at = now()
                  where w.accepted_before < excluded.accepted_before
                returning accepted_before""")) {
            for (Map.Entry<TopicPartition, Instant> m : markers.entrySet()) {
                ps.setString(1, m.getKey().topic());
                ps.setInt(2, m.getKey().partition());
                ps.setTimestamp(3, Timestamp.from(m.getValue()));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        WatermarkV1 w = new WatermarkV1(m.getKey().partition(), rs.getTimestamp(1).toInstant(), now);
                        out.add(new OutboxRecord("rating/" + w.partition(), json.writeValueAsString(w), null));
                    }
                }
            }
        }
        if (!out.isEmpty()) {
            Outbox.append(c, Topics.WATERMARKS, WatermarkV1.SCHEMA, out);
        }
    }
}
