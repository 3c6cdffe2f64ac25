package dev.tally.invoicing.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.audit.AuditChain;
import dev.tally.model.audit.AuditEntry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Appends catalog changes to the tenant's hash chain, in the caller's transaction, so a change and
 * its audit entry commit or fail together.
 */
@ApplicationScoped
public class AuditLog {
    /** The chain of changes that belong to no tenant: operator accounts. */
    public static final String PLATFORM = "_platform";

    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    /** One change to append: what, which, how, and its state before and after (JSON-serialized). */
    public record Change(String entityType, String entityId, String action, Object before, Object after) {
    }

    public void record(String tenantId, String actor, String entityType, String entityId, String action, Object before, Object after) {
        recordAll(tenantId, actor, List.of(new Change(entityType, entityId, action, before, after)));
    }

    /** Appends the changes, in order, to the tenant's chain in the current transaction: one lock, one read, one batch. */
    public void recordAll(String tenantId, String actor, List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        // microseconds: what timestamptz keeps, so the stored row re-hashes to the same value
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(hashtext('audit:' || ?))")) {
                lock.setString(1, tenantId);
                lock.execute();
            }
            long seq = 0;
            String prev = AuditChain.GENESIS;
            try (PreparedStatement last = c.prepareStatement(
                    "select seq, hash from audit_log where tenant_id = ? order by seq desc limit 1")) {
                last.setString(1, tenantId);
                try (ResultSet rs = last.executeQuery()) {
                    if (rs.next()) {
                        seq = rs.getLong(1);
                        prev = rs.getString(2);
                    }
                }
            }
            try (PreparedStatement ins = c.prepareStatement("""
                    insert into audit_log (tenant_id, seq, at, actor, entity_type, entity_id, action, before_json, after_json, prev_hash, hash)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                for (Change ch : changes) {
                    seq++;
                    String beforeJson = text(ch.before());
                    String afterJson = text(ch.after());
                    String hash = AuditChain.hash(prev, tenantId, seq, at, actor, ch.entityType(), ch.entityId(), ch.action(), beforeJson,
                            afterJson);
                    ins.setString(1, tenantId);
                    ins.setLong(2, seq);
                    ins.setTimestamp(3, Timestamp.from(at));
                    ins.setString(4, actor);
                    ins.setString(5, ch.entityType());
                    ins.setString(6, ch.entityId());
                    ins.setString(7, ch.action());
                    ins.setString(8, beforeJson);
                    ins.setString(9, afterJson);
                    ins.setString(10, prev);
                    ins.setString(11, hash);
                    ins.addBatch();
                    prev = hash;
                }
                ins.executeBatch();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("audit append failed", e);
        }
    }

    /** The tenant's whole chain, in order. */
    public List<AuditEntry> entries(String tenantId) {
        List<AuditEntry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select tenant_id, seq, at, actor, entity_type, entity_id, action, before_json, "
                     + "after_json, prev_hash, hash from audit_log where tenant_id = ? order by seq")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new AuditEntry(rs.getString(1), rs.getLong(2), rs.getTimestamp(3).toInstant(), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private String text(Object o) {
        if (o == null) {
            return null;
        }
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
