package dev.tally.invoicing.credit;

import dev.tally.model.money.Money;
import dev.tally.model.terms.CreditGrant;
import dev.tally.model.terms.Credits;
import dev.tally.model.terms.LedgerEntry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Credit grants and their ledger, in the caller's transaction: what finalizing reads (the grants, locked) and
 * writes (balances and APPLIED entries), and what voiding gives back (RESTORED entries).
 */
@ApplicationScoped
public class CreditLedger {
    @Inject
    Clock clock;

    @Inject
    DataSource dataSource;

    /** Lapses expired balances of every tenant on a schedule (a close lapses its tenant's first anyway). */
    @Scheduled(every = "${tally.credits.lapse-every:1h}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledLapse() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            lapse(c, null, clock.instant());
        }
    }
    /** The grants with a balance of these customers, locked until the transaction ends: customer id → grants. */
    public Map<String, List<CreditGrant>> grants(Connection c, String tenantId, List<String> customerIds) throws SQLException {
        Map<String, List<CreditGrant>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select customer_id, grant_id, currency, remaining, priority, effective_at, expires_at, rollover from credit_grant
                where tenant_id = ? and customer_id = any(?) and remaining > 0 order by grant_id for update""")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", customerIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp expires = rs.getTimestamp(7);
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new CreditGrant(rs.getString(2),
                            Money.of(rs.getBigDecimal(4), rs.getString(3)), rs.getInt(5), rs.getTimestamp(6).toInstant(),
                            expires == null ? null : expires.toInstant(), rs.getBoolean(8)));
                }
            }
        }
        return out;
    }

    /** One of a customer's grants as stored: {@code remaining} is its balance, {@code expiresAt} null for never. */
    public record GrantRow(String grantId, BigDecimal amount, BigDecimal remaining, int priority, Instant effectiveAt, Instant expiresAt,
            boolean rollover, String reason, String createdBy, Instant createdAt) {
    }

    /** One movement of a customer's ledger, with the grant's balance after it. */
    public record EntryRow(long entryId, String grantId, String kind, BigDecimal amount, BigDecimal balanceAfter, String invoiceId,
            String reason, Instant at) {
    }

    /** Every grant of one customer, the oldest first (not locked). */
    public List<GrantRow> customerGrants(Connection c, String tenantId, String customerId) throws SQLException {
        List<GrantRow> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select grant_id, amount, remaining, priority, effective_at, expires_at, reason, created_by, created_at, rollover from credit_grant
                where tenant_id = ? and customer_id = ? order by created_at, grant_id""")) {
            ps.setString(1, tenantId);
            ps.setString(2, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp expires = rs.getTimestamp(6);
                    out.add(new GrantRow(rs.getString(1), rs.getBigDecimal(2), rs.getBigDecimal(3), rs.getInt(4), rs.getTimestamp(5).toInstant(),
                            expires == null ? null : expires.toInstant(), rs.getBoolean(10), rs.getString(7), rs.getString(8),
                            rs.getTimestamp(9).toInstant()));
                }
            }
        }
        return out;
    }

    /** Every ledger entry of one customer, in the order they were written. */
    public List<EntryRow> customerLedger(Connection c, String tenantId, String customerId) throws SQLException {
        List<EntryRow> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select entry_id, grant_id, kind, amount, balance_after, invoice_id, reason, at from credit_ledger
                where tenant_id = ? and customer_id = ? order by entry_id""")) {
            ps.setString(1, tenantId);
            ps.setString(2, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new EntryRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getString(6),
                            rs.getString(7), rs.getTimestamp(8).toInstant()));
                }
            }
        }
        return out;
    }

    /** Grants prepaid credit that rolls over (see {@link #grant(Connection, String, String, String, BigDecimal, int, Instant, Instant, boolean, String, String)}). */
    public String grant(Connection c, String tenantId, String customerId, String currency, BigDecimal amount, int priority, Instant effectiveAt,
            Instant expiresAt, String reason, String actor) throws SQLException {
        return grant(c, tenantId, customerId, currency, amount, priority, effectiveAt, expiresAt, true, reason, actor);
    }

    /**
     * Grants prepaid credit to a customer (and its GRANTED ledger entry); returns the grant's id. Without
     * {@code rollover} the balance left when the first period it is usable in closes lapses.
     */
    public String grant(Connection c, String tenantId, String customerId, String currency, BigDecimal amount, int priority, Instant effectiveAt,
            Instant expiresAt, boolean rollover, String reason, String actor) throws SQLException {
        String grantId = "crd_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        try (PreparedStatement ps = c.prepareStatement("""
                insert into credit_grant (tenant_id, grant_id, customer_id, currency, amount, remaining, priority, effective_at, expires_at,
                  reason, created_by, rollover) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, tenantId);
            ps.setString(2, grantId);
            ps.setString(3, customerId);
            ps.setString(4, currency);
            ps.setBigDecimal(5, amount);
            ps.setBigDecimal(6, amount);
            ps.setInt(7, priority);
            ps.setTimestamp(8, Timestamp.from(effectiveAt));
            ps.setTimestamp(9, expiresAt == null ? null : Timestamp.from(expiresAt));
            ps.setString(10, reason);
            ps.setString(11, actor);
            ps.setBoolean(12, rollover);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into credit_ledger (tenant_id, customer_id, grant_id, kind, amount, balance_after, reason)
                values (?, ?, ?, 'GRANTED', ?, ?, ?)""")) {
            ps.setString(1, tenantId);
            ps.setString(2, customerId);
            ps.setString(3, grantId);
            ps.setBigDecimal(4, amount);
            ps.setBigDecimal(5, amount);
            ps.setString(6, reason);
            ps.executeUpdate();
        }
        return grantId;
    }

    /**
     * One customer's application to one invoice ({@code applied} null when no credit was used) and the grants without
     * rollover that lapse as its period closes.
     */
    public record Use(String customerId, String invoiceId, Credits.Applied applied, List<LedgerEntry> lapsed) {
    }

    /** Writes the balances after each application and lapse, and an APPLIED or LAPSED entry per grant moved (with the invoice). */
    public void record(Connection c, String tenantId, List<Use> uses) throws SQLException {
        try (PreparedStatement upd = c.prepareStatement("update credit_grant set remaining = ? where tenant_id = ? and grant_id = ?");
             PreparedStatement led = c.prepareStatement("""
                     insert into credit_ledger (tenant_id, customer_id, grant_id, kind, amount, balance_after, invoice_id, reason)
                     values (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (Use u : uses) {
                List<LedgerEntry> moved = new ArrayList<>(u.applied() == null ? List.of() : u.applied().ledger());
                moved.addAll(u.lapsed());
                for (LedgerEntry e : moved) {
                    upd.setBigDecimal(1, e.balanceAfter().amount());
                    upd.setString(2, tenantId);
                    upd.setString(3, e.grantId());
                    upd.addBatch();
                    led.setString(1, tenantId);
                    led.setString(2, u.customerId());
                    led.setString(3, e.grantId());
                    led.setString(4, e.kind().name());
                    led.setBigDecimal(5, e.amount().amount());
                    led.setBigDecimal(6, e.balanceAfter().amount());
                    led.setString(7, u.invoiceId());
                    led.setString(8, e.reason());
                    led.addBatch();
                }
            }
            upd.executeBatch();
            led.executeBatch();
        }
    }

    /** Gives back what a voided invoice took from each grant (RESTORED entries); returns the total restored. */
    public BigDecimal restore(Connection c, String tenantId, String invoiceId, String reason) throws SQLException {
        BigDecimal restored = BigDecimal.ZERO;
        List<String[]> applied = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select customer_id, grant_id, amount from credit_ledger where tenant_id = ? and invoice_id = ? and kind = 'APPLIED'""")) {
            ps.setString(1, tenantId);
            ps.setString(2, invoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    applied.add(new String[] {rs.getString(1), rs.getString(2), rs.getBigDecimal(3).toPlainString()});
                }
            }
        }
        for (String[] a : applied) {
            BigDecimal amount = new BigDecimal(a[2]);
            BigDecimal balance;
            try (PreparedStatement ps = c.prepareStatement(
                    "update credit_grant set remaining = remaining + ? where tenant_id = ? and grant_id = ? returning remaining")) {
                ps.setBigDecimal(1, amount);
                ps.setString(2, tenantId);
                ps.setString(3, a[1]);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    balance = rs.getBigDecimal(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into credit_ledger (tenant_id, customer_id, grant_id, kind, amount, balance_after, invoice_id, reason)
                    values (?, ?, ?, 'RESTORED', ?, ?, ?, ?)""")) {
                ps.setString(1, tenantId);
                ps.setString(2, a[0]);
                ps.setString(3, a[1]);
                ps.setBigDecimal(4, amount);
                ps.setBigDecimal(5, balance);
                ps.setString(6, invoiceId);
                ps.setString(7, reason);
                ps.executeUpdate();
            }
            restored = restored.add(amount);
        }
        return restored;
    }

    /**
     * Lapses every grant that expired by {@code now} with a balance left ({@code tenantId} null: of every tenant):
     * its balance goes to zero with a LAPSED entry. Returns how many lapsed.
     */
    public int lapse(Connection c, String tenantId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                with lapsed as (
                  update credit_grant g set remaining = 0 from (
                    select tenant_id, grant_id, remaining from credit_grant
                    where (?::text is null or tenant_id = ?) and remaining > 0 and expires_at is not null and expires_at <= ?
                    for update) old
                  where g.tenant_id = old.tenant_id and g.grant_id = old.grant_id
                  returning g.tenant_id, g.customer_id, g.grant_id, old.remaining, g.expires_at)
                insert into credit_ledger (tenant_id, customer_id, grant_id, kind, amount, balance_after, reason)
                select tenant_id, customer_id, grant_id, 'LAPSED', remaining, 0, 'expired at ' || to_char(expires_at at time zone 'UTC',
                  'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' with this balance unused' from lapsed""")) {
            ps.setString(1, tenantId);
            ps.setString(2, tenantId);
            ps.setTimestamp(3, Timestamp.from(now));
            return ps.executeUpdate();
        }
    }
}
