package dev.tally.ingest.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ingest.intake.QuarantineReason;
import dev.tally.model.event.UsageEvent;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.DeadLetterV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.StoredOffsets;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * The accept transaction: claim the dedup keys and write the outbox row in one commit. Never
 * "claim, then write" in two steps — a crash between them would turn a retry into a false duplicate.
 */
@ApplicationScoped
public class EventStore {
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;

    /** A valid, attributed event and its index in the request. */
    public record Candidate(int index, UsageEvent event, String customerId, String attributedBy) {
    }

    private static final String INTAKE_OFFSETS = "intake_offset";

    /** A valid event no customer could be found for, kept for replay. */
    public record Unattributed(UsageEvent event, QuarantineReason reason, String apiKeyId) {
    }

    /** The stored form of a quarantined event (decimals as strings, like every payload Tally writes). */
    public record QuarantinedEvent(String id, String type, String customer, Instant timestamp, Map<String, Object> properties) {
    }

    /** A quarantined event as stored: why, which key sent it, when, and the event itself. */
    public record Quarantined(String eventId, String reason, String apiKeyId, Instant receivedAt, QuarantinedEvent event) {
    }

    /** The tenant's oldest quarantined events, at most {@code limit}. */
    public List<Quarantined> quarantined(String tenantId, int limit) throws SQLException, JsonProcessingException {
        List<Quarantined> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select event_id, reason, api_key_id, received_at, event_json from quarantine where tenant_id = ? order by received_at, event_id limit ?")) {
            ps.setString(1, tenantId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Quarantined(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            json.readValue(rs.getString(5), QuarantinedEvent.class)));
                }
            }
        }
        return out;
    }

    /** How many events of the tenant are quarantined. */
    public long quarantineCount(String tenantId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("select count(*) from quarantine where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Accepts the new candidates and quarantines the unattributed events, in one transaction.
     * Returns the indexes of the candidates that were new (the rest were duplicates).
     */
    public Set<Integer> accept(String tenantId, List<Candidate> candidates, List<Unattributed> unattributed, String traceparent,
            Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                Set<Integer> accepted = candidates.isEmpty() ? Set.of() : accept(c, tenantId, candidates, traceparent, now);
                if (!unattributed.isEmpty()) {
                    quarantine(c, tenantId, unattributed, now);
                }
                return accepted;
            }
        });
    }

    /** Accepts quarantined events that can now be attributed, and releases them from quarantine, in one transaction. */
    public Set<Integer> replay(String tenantId, List<Candidate> candidates, String traceparent, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                Set<Integer> accepted = accept(c, tenantId, candidates, traceparent, now);
                try (PreparedStatement ps = c.prepareStatement("delete from quarantine where tenant_id = ? and event_id = any(?)")) {
                    ps.setString(1, tenantId);
                    ps.setArray(2, c.createArrayOf("text", candidates.stream().map(k -> k.event().id()).toArray()));
                    ps.executeUpdate();
                }
                return accepted;
            }
        });
    }

    /** One tenant's share of a raw-topic poll. */
    public record TenantShare(List<Candidate> candidates, List<Unattributed> unattributed) {
    }

    /**
     * Applies one poll of the raw topic in one transaction: every tenant's new events (dedup keys and
     * outbox), their quarantined events, the dead letters, and the consumed positions. Returns how
     * many events were new.
     */
    public int acceptPoll(Map<String, TenantShare> byTenant, List<DeadLetter> deadLetters,
            Map<TopicPartition, Long> firstOffsets,
            Map<TopicPartition, Long> nextOffsets, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                StoredOffsets.claim(c, INTAKE_OFFSETS, firstOffsets);
                int accepted = 0;
                for (var e : byTenant.entrySet()) {
                    if (!e.getValue().candidates().isEmpty()) {
                        accepted += accept(c, e.getKey(), e.getValue().candidates(), null, now).size();
                    }
                    if (!e.getValue().unattributed().isEmpty()) {
                        quarantine(c, e.getKey(), e.getValue().unattributed(), now);
                    }
                }
                if (!deadLetters.isEmpty()) {
                    deadLetters(c, deadLetters);
                }
                StoredOffsets.save(c, INTAKE_OFFSETS, nextOffsets);
                return accepted;
            }
        });
    }

    /** A record the Kafka intake could not take, with the record key it is published under. */
    public record DeadLetter(String key, DeadLetterV1 letter) {
    }

    /** Publishes dead letters on {@link Topics#EVENTS_DEAD} and keeps them for the tenant's list ({@link #deadLetters(String, int, int)}). */
    private void deadLetters(Connection c, List<DeadLetter> letters) throws SQLException, JsonProcessingException {
        List<OutboxRecord> records = new ArrayList<>(letters.size());
        try (PreparedStatement ps = c.prepareStatement("""
                insert into dead_letter (tenant_id, code, field, message, source_topic, kafka_partition, kafka_offset, key_id, value, at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (DeadLetter l : letters) {
                DeadLetterV1 d = l.letter();
                records.add(new OutboxRecord(l.key(), json.writeValueAsString(d), null));
                ps.setString(1, d.tenantId());
                ps.setString(2, d.code());
                ps.setString(3, d.field());
                ps.setString(4, d.message());
                ps.setString(5, d.sourceTopic());
                ps.setInt(6, d.partition());
                ps.setLong(7, d.offset());
                ps.setString(8, d.keyId());
                ps.setString(9, d.value());
                ps.setTimestamp(10, Timestamp.from(d.at()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        Outbox.append(c, Topics.EVENTS_DEAD, DeadLetterV1.SCHEMA, records);
    }

    /** A page of the tenant's dead letters, newest first, and how many it has. */
    public record DeadLetters(List<DeadLetterV1> deadLetters, long total) {
    }

    public DeadLetters deadLetters(String tenantId, int offset, int limit) throws SQLException {
        List<DeadLetterV1> out = new ArrayList<>();
        long total;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    select code, field, message, source_topic, kafka_partition, kafka_offset, key_id, tenant_id, value, at from dead_letter
                    where tenant_id = ? order by dead_letter_id desc offset ? limit ?""")) {
                ps.setString(1, tenantId);
                ps.setInt(2, offset);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new DeadLetterV1(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getLong(6),
                                rs.getString(7), rs.getString(8), rs.getString(9), rs.getTimestamp(10).toInstant()));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select count(*) from dead_letter where tenant_id = ?")) {
                ps.setString(1, tenantId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
        }
        return new DeadLetters(out, total);
    }

    /** Stored next offsets of the raw topic's partitions (absent: never consumed). */
    public Map<TopicPartition, Long> intakeOffsets(
            Collection<TopicPartition> partitions) throws SQLException {
        return StoredOffsets.read(dataSource, INTAKE_OFFSETS, partitions);
    }

    private void quarantine(Connection c, String tenantId, List<Unattributed> events, Instant now) throws SQLException, JsonProcessingException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into quarantine (tenant_id, event_id, reason, api_key_id, event_json, received_at) values (?, ?, ?, ?, ?, ?)
                on conflict do nothing""")) {
            for (Unattributed u : events) {
                UsageEvent e = u.event();
                ps.setString(1, tenantId);
                ps.setString(2, e.id());
                ps.setString(3, u.reason().wire());
                ps.setString(4, u.apiKeyId());
                ps.setString(5, json.writeValueAsString(new QuarantinedEvent(e.id(), e.type(), e.customer(), e.timestamp(), e.properties())));
                ps.setTimestamp(6, Timestamp.from(now));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private Set<Integer> accept(Connection c, String tenantId, List<Candidate> candidates, String traceparent, Instant now)
            throws SQLException, JsonProcessingException {
        long outboxId;
        try (PreparedStatement ps = c.prepareStatement("select nextval(pg_get_serial_sequence('outbox', 'id'))");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            outboxId = rs.getLong(1);
        }
        // keys are inserted in sorted order: two requests that share ids then lock them in the same
        // order and one waits for the other instead of deadlocking
        String[] ids = candidates.stream().map(k -> k.event().id()).sorted().toArray(String[]::new);
        Set<String> fresh = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("""
                insert into event_key (tenant_id, event_id, outbox_id, accepted_at)
                select ?, id, ?, ? from unnest(?::text[]) with ordinality as t(id, n) order by n
                on conflict do nothing
                returning event_id""")) {
            ps.setString(1, tenantId);
            ps.setLong(2, outboxId);
            ps.setObject(3, Timestamp.from(now));
            ps.setArray(4, c.createArrayOf("text", ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fresh.add(rs.getString(1));
                }
            }
        }
        Set<Integer> accepted = new HashSet<>();
        List<OutboxRecord> records = new ArrayList<>();
        AcceptedEventWriter writer = new AcceptedEventWriter(json.getFactory());
        String acceptedAt = now.toString();
        for (Candidate k : candidates) {
            if (!fresh.contains(k.event().id())) {
                continue;
            }
            accepted.add(k.index());
            UsageEvent e = k.event();
            // the billing period (and the plan segment within it) is decided once, here, and travels with the event and its corrections
            CatalogView.Placement at = catalog.placementOf(tenantId, k.customerId(), e.timestamp());
            AcceptedEventV1 message = new AcceptedEventV1(tenantId, k.customerId(), e.customer(), e.id(), e.type(), e.timestamp(),
                    e.properties(), now, k.attributedBy(), at.period().start(), at.period().end(), at.segmentStart());
            records.add(new OutboxRecord(tenantId + "/" + k.customerId(), writer.write(message, acceptedAt), traceparent));
        }
        if (!records.isEmpty()) {
            insertOutbox(c, outboxId, records);
        }
        return accepted;
    }

    /** The outbox row takes the id the dedup keys already point at. */
    private static void insertOutbox(Connection c, long id, List<OutboxRecord> records) throws SQLException {
        long written = Outbox.append(c, Topics.EVENTS_ACCEPTED, AcceptedEventV1.SCHEMA, records, id);
        if (written != id) {
            throw new IllegalStateException("outbox id mismatch");
        }
    }
}
