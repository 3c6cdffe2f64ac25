package dev.tally.rating.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import dev.tally.rating.store.RatingStore.MeterPeriod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * Threshold crossings of {@link Limits} and {@link Budgets}: each recorded in {@code alert_sent} and announced
 * ({@link AlertV1} on {@code tally.alerts}, through the outbox) once per meter, period and threshold.
 */
@ApplicationScoped
class Alerts {
    @Inject
    ObjectMapper json;

    /** Records a crossing in {@code alert_sent}; false if it was announced before in this period. */
    static boolean markSent(Connection c, MeterPeriod m, int percent, BigDecimal quantity) throws SQLException {
        try (PreparedStatement sent = c.prepareStatement("""
                insert into alert_sent (tenant_id, customer_id, meter_key, period_start, percent, quantity) values (?, ?, ?, ?, ?, ?)
                on conflict do nothing""")) {
            sent.setString(1, m.tenantId());
            sent.setString(2, m.customerId());
            sent.setString(3, m.meterKey());
            sent.setTimestamp(4, Timestamp.from(m.periodStart()));
            sent.setInt(5, percent);
            sent.setBigDecimal(6, quantity);
            return sent.executeUpdate() == 1;
        }
    }

    /** The outbox record of one threshold crossing; its id names the crossing, so it is the same wherever it is written. */
    OutboxRecord alert(MeterPeriod m, Instant periodEnd, int percent, BigDecimal limit, BigDecimal quantity, boolean hard,
            boolean blocked, Instant now) throws Exception {
        AlertV1 a = new AlertV1(m.tenantId() + "/" + m.customerId() + "/" + m.meterKey() + "/" + m.periodStart() + "/" + percent, m.tenantId(),
                m.customerId(), m.meterKey(), m.periodStart(), periodEnd, percent, limit, quantity, hard, blocked, now);
        return new OutboxRecord(m.tenantId() + "/" + m.customerId(), json.writeValueAsString(a), null);
    }

    /** Writes the alerts to the outbox as one row (none: nothing). */
    static void append(Connection c, List<OutboxRecord> alerts) throws Exception {
        if (!alerts.isEmpty()) {
            Outbox.append(c, Topics.ALERTS, AlertV1.SCHEMA, alerts);
        }
    }
}
