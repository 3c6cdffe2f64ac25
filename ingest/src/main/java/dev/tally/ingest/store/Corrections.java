package dev.tally.ingest.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Retractions and amendments of accepted events. One request is one transaction: the events' dedup
 * keys are locked (sorted, so concurrent requests cannot deadlock), each event's current state is
 * read (its last correction, else the original from the outbox row its key points at), the
 * corrections are numbered and stored as the audit record, and one outbox row carries them to rating.
 *
 * <p>The original payload lives in ingest's outbox row, which is kept for {@code tally.outbox.retention}
 * after it is relayed: that retention is the correction window. An event whose row is gone answers
 * {@code not_correctable}.
 */
@ApplicationScoped
public class Corrections {
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    /** Where an event stands: its state now (null if its original is no longer held) and its last correction. */
    public record State(AcceptedEventV1 current, int sequence, boolean retracted) {
    }

    /** One asked-for correction. {@code decide} turns the event's state into the new state, or an outcome without a change. */
    public record Request(String eventId, Function<State, Decision> decide) {
    }

    /**
     * What to do with one event: {@code current} is the event after the correction (null: retract);
     * {@code refusal} non-null means no change, with that outcome.
     */
    public record Decision(String kind, AcceptedEventV1 current, Outcome refusal) {
        public static Decision refuse(Outcome o) {
            return new Decision(null, null, o);
        }
    }

    /** The answer for one event: outcome (retracted, amended, not_found, …), sequence when corrected, else code and message. */
    public record Outcome(String eventId, String outcome, Integer sequence, String code, String field, String message) {
    }

    /** A stored correction, for the event's history. */
    public record Entry(int sequence, String kind, String reason, String actor, Instant correctedAt, AcceptedEventV1 previous,
            AcceptedEventV1 current) {
    }

    /** What the store knows of one event. */
    public record History(Instant acceptedAt, AcceptedEventV1 original, List<Entry> corrections) {
    }

    /**
     * Applies the requests in order, in one transaction (a later request for the same event sees the
     * earlier one's result). Returns one outcome per request.
     */
    public List<Outcome> correct(String tenantId, List<Request> requests, String reason, String actor, String traceparent, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                Set<String> ids = new LinkedHashSet<>();
                requests.forEach(r -> ids.add(r.eventId()));
                Map<String, Long> keys = lockKeys(c, tenantId, ids);
                Map<String, State> states = states(c, tenantId, keys);
                List<Outcome> out = new ArrayList<>(requests.size());
                List<OutboxRecord> records = new ArrayList<>();
                List<EventCorrectionV1> corrections = new ArrayList<>();
                for (Request r : requests) {
                    if (!keys.containsKey(r.eventId())) {
                        out.add(new Outcome(r.eventId(), "not_found", null, "not_found", "id", "no event with this id was accepted for"
                                + " this tenant (or it is older than the dedup window)"));
                        continue;
                    }
                    State s = states.get(r.eventId());
                    if (s == null || s.current() == null && !s.retracted()) {
                        out.add(new Outcome(r.eventId(), "not_correctable", null, "not_correctable", "id", "the event is older than the"
                                + " correction window (its accepted payload is no longer held); it can no longer be corrected"));
                        continue;
                    }
                    Decision d = r.decide().apply(s);
                    if (d.refusal() != null) {
                        out.add(d.refusal());
                        continue;
                    }
                    int sequence = s.sequence() + 1;
                    EventCorrectionV1 m = new EventCorrectionV1(tenantId, s.current().customerId(), r.eventId(), d.kind(), sequence,
                            s.current(), d.current(), reason, actor, now);
                    corrections.add(m);
                    records.add(new OutboxRecord(tenantId + "/" + m.customerId(), json.writeValueAsString(m), traceparent));
                    states.put(r.eventId(), new State(d.current() == null ? s.current() : d.current(), sequence, d.current() == null));
                    out.add(new Outcome(r.eventId(), EventCorrectionV1.RETRACT.equals(d.kind()) ? "retracted" : "amended", sequence,
                            null, null, null));
                }
                if (!records.isEmpty()) {
                    long outboxId = Outbox.append(c, Topics.EVENTS_ACCEPTED, EventCorrectionV1.SCHEMA, records);
                    insert(c, corrections, outboxId);
                }
                return out;
            }
        });
    }

    /** The event's original as accepted and its corrections, or null if no such event was accepted for the tenant. */
    public History history(String tenantId, String eventId) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            Long outboxId = null;
            Instant acceptedAt = null;
            try (PreparedStatement ps = c.prepareStatement("select outbox_id, accepted_at from event_key where tenant_id = ? and event_id = ?")) {
                ps.setString(1, tenantId);
                ps.setString(2, eventId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        outboxId = rs.getLong(1);
                        acceptedAt = rs.getTimestamp(2).toInstant();
                    }
                }
            }
            if (outboxId == null) {
                return null;
            }
            AcceptedEventV1 original = originals(c, Map.of(eventId, outboxId)).get(eventId);
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select sequence, kind, reason, actor, corrected_at, previous_json, current_json
                    from event_correction where tenant_id = ? and event_id = ? order by sequence""")) {
                ps.setString(1, tenantId);
                ps.setString(2, eventId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.add(new Entry(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getTimestamp(5).toInstant(), read(rs.getString(6)), read(rs.getString(7))));
                    }
                }
            }
            return new History(acceptedAt, original, entries);
        }
    }

    private AcceptedEventV1 read(String s) throws IOException {
        return s == null ? null : json.readValue(s, AcceptedEventV1.class);
    }

    /** Locks the dedup keys of the ids that exist (sorted order), returning each one's outbox row id. */
    private static Map<String, Long> lockKeys(Connection c, String tenantId, Set<String> ids) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select event_id, outbox_id from event_key where tenant_id = ? and event_id = any(?)
                order by event_id for update""")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** Each event's state: from its last correction if it has one, else its original payload (absent if no longer held). */
    private Map<String, State> states(Connection c, String tenantId, Map<String, Long> keys) throws Exception {
        Map<String, State> out = new HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select distinct on (event_id) event_id, sequence, kind, previous_json, current_json
                from event_correction where tenant_id = ? and event_id = any(?)
                order by event_id, sequence desc""")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", keys.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean retracted = EventCorrectionV1.RETRACT.equals(rs.getString(3));
                    out.put(rs.getString(1), new State(read(rs.getString(retracted ? 4 : 5)), rs.getInt(2), retracted));
                }
            }
        }
        Map<String, Long> uncorrected = new HashMap<>(keys);
        uncorrected.keySet().removeAll(out.keySet());
        originals(c, uncorrected).forEach((id, e) -> out.put(id, new State(e, 0, false)));
        return out;
    }

    /** The accepted payloads of the given events, read from the outbox rows their keys point at (absent: row deleted). */
    private Map<String, AcceptedEventV1> originals(Connection c, Map<String, Long> outboxIds) throws Exception {
        Map<String, AcceptedEventV1> out = new HashMap<>();
        if (outboxIds.isEmpty()) {
            return out;
        }
        Map<Long, List<String>> byRow = new HashMap<>();
        outboxIds.forEach((id, row) -> byRow.computeIfAbsent(row, k -> new ArrayList<>()).add(id));
        try (PreparedStatement ps = c.prepareStatement("select id, payloads from outbox where id = any(?)")) {
            ps.setArray(1, c.createArrayOf("int8", byRow.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Set<String> wanted = new HashSet<>(byRow.get(rs.getLong(1)));
                    Array payloads = rs.getArray(2);
                    for (String p : (String[]) payloads.getArray()) {
                        if (wanted.isEmpty()) {
                            break;
                        }
                        AcceptedEventV1 e = mentionsAny(p, wanted) ? json.readValue(p, AcceptedEventV1.class) : null;
                        if (e != null && wanted.remove(e.eventId())) {
                            out.put(e.eventId(), e);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** A cheap pre-check before parsing a payload: does it contain one of the ids at all? */
    private static boolean mentionsAny(String payload, Set<String> ids) {
        for (String id : ids) {
            if (payload.contains(id)) {
                return true;
            }
        }
        return false;
    }

    private void insert(Connection c, List<EventCorrectionV1> corrections, long outboxId) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into event_correction (tenant_id, event_id, sequence, kind, reason, actor, previous_json, current_json,
                  corrected_at, outbox_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (EventCorrectionV1 m : corrections) {
                ps.setString(1, m.tenantId());
                ps.setString(2, m.eventId());
                ps.setInt(3, m.sequence());
                ps.setString(4, m.kind());
                ps.setString(5, m.reason());
                ps.setString(6, m.actor());
                ps.setString(7, json.writeValueAsString(m.previous()));
                ps.setString(8, m.current() == null ? null : json.writeValueAsString(m.current()));
                ps.setTimestamp(9, Timestamp.from(m.correctedAt()));
                ps.setLong(10, outboxId);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
