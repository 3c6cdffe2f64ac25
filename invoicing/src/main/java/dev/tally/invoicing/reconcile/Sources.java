package dev.tally.invoicing.reconcile;

import dev.tally.invoicing.billing.AdjustmentInvoices;
import dev.tally.model.metering.Recount;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What the recount is compared with: rating's quantity (and when it was last rated) and the invoiced quantity per key,
 * each customer's closes, and since when usage of a customer with no period left is still pending ({@link #quietSince}).
 */
record Sources(Map<Recount.Key, BigDecimal> rated, Map<Recount.Key, Instant> ratedAt, Map<Recount.Key, BigDecimal> invoiced,
        Map<String, Closes> closes, Instant quietSince) {

    /** How long after the close grace a stand-alone adjustment invoice may take: the watermark's lag and the closer's runs. */
    static final Duration ADJUSTMENT_SLACK = Duration.ofMinutes(10);

    /** What a customer's next close can settle: when it last closed, and whether it has a period left to close. */
    record Closes(Instant lastClose, boolean periodLeft) {
    }

    /** The tenant's sources for the periods starting at {@code periodStart} (null: every period), read now. */
    static Sources read(Connection c, String tenantId, Instant periodStart, Instant now) throws SQLException {
        Sources s = new Sources(new HashMap<>(), new HashMap<>(), new HashMap<>(), closes(c, tenantId), quietSince(c, tenantId, now));
        readRated(c, tenantId, periodStart, s);
        readInvoiced(c, tenantId, periodStart, s);
        return s;
    }

    /**
     * Usage of a customer with no period left that arrived after this is still pending: the closer bills it on a
     * stand-alone adjustment invoice once it has been quiet for the tenant's close grace ({@link #ADJUSTMENT_SLACK} more
     * for the watermark's lag). Usage that arrived before it and is still not billed is stranded: a fault.
     */
    private static Instant quietSince(Connection c, String tenantId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select extract(epoch from close_grace)::bigint from tenant where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                long grace = rs.next() ? rs.getLong(1) : 0;
                return now.minusSeconds(grace).minus(ADJUSTMENT_SLACK);
            }
        }
    }

    /** Rating's usage snapshots as invoicing stored them, per key, and when each was last received. */
    private static void readRated(Connection c, String tenantId, Instant periodStart, Sources into) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select customer_id, meter_key, period_start, period_end, sum(quantity), max(received_at) from usage_snapshot
                where tenant_id = ? and (?::timestamptz is null or period_start = ?) group by 1, 2, 3, 4""")) {
            ps.setString(1, tenantId);
            ps.setTimestamp(2, periodStart == null ? null : Timestamp.from(periodStart));
            ps.setTimestamp(3, periodStart == null ? null : Timestamp.from(periodStart));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    into.rated().put(key(rs), rs.getBigDecimal(5));
                    into.ratedAt().put(key(rs), rs.getTimestamp(6).toInstant());
                }
            }
        }
    }

    /** Per customer: its last close, and whether a subscription has a period left to close (no live invoice yet reaches its end, or it has none). */
    private static Map<String, Closes> closes(Connection c, String tenantId) throws SQLException {
        Map<String, Closes> closes = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select c.customer_id,
                  (select max(i.finalized_at) from invoice i where i.tenant_id = c.tenant_id and i.customer_id = c.customer_id
                     and i.status <> 'void' and i.kind in ('usage', 'adjustment')),
                """ + AdjustmentInvoices.PERIOD_LEFT + """
                from customer c where c.tenant_id = ?""")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp last = rs.getTimestamp(2);
                    closes.put(rs.getString(1), new Closes(last == null ? null : last.toInstant(), rs.getBoolean(3)));
                }
            }
        }
        return closes;
    }

    /** What live invoices bill per key so far (the period's invoice and every adjustment since); term lines are not usage. */
    private static void readInvoiced(Connection c, String tenantId, Instant periodStart, Sources into) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select customer_id, meter_key, period_start, period_end, sum(quantity) from billed_usage
                where tenant_id = ? and strpos(meter_key, ':') = 0 and (?::timestamptz is null or period_start = ?) group by 1, 2, 3, 4""")) {
            ps.setString(1, tenantId);
            ps.setTimestamp(2, periodStart == null ? null : Timestamp.from(periodStart));
            ps.setTimestamp(3, periodStart == null ? null : Timestamp.from(periodStart));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    into.invoiced().put(key(rs), rs.getBigDecimal(5));
                }
            }
        }
    }

    private static Recount.Key key(ResultSet rs) throws SQLException {
        return new Recount.Key(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant());
    }
}
