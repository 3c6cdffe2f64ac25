package dev.tally.invoicing.credit;

import dev.tally.model.money.Money;
import dev.tally.model.terms.CreditGrant;
import dev.tally.model.terms.Credits;
import dev.tally.model.terms.Funding;
import dev.tally.model.terms.Instalments;
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
                select customer_id, grant_id, currency, remaining, priority, effective_at, expires_at, rollover, funding from credit_grant
                where tenant_id = ? and customer_id = any(?) and remaining > 0 order by grant_id for update""")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", customerIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp expires = rs.getTimestamp(7);
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new CreditGrant(rs.getString(2),
                            Money.of(rs.getBigDecimal(4), rs.getString(3)), rs.getInt(5), rs.getTimestamp(6).toInstant(),
                            expires == null ? null : expires.toInstant(), rs.getBoolean(8), Funding.of(rs.getString(9))));
                }
            }
        }
        return out;
    }

    /**
     * One of a customer's grants as stored: {@code remaining} is its balance, {@code expiresAt} null for never; a purchased
     * one's {@code price} and how much of it is {@code invoiced} so far (null price: promotional).
     */
    public record GrantRow(String grantId, BigDecimal amount, BigDecimal remaining, int priority, Instant effectiveAt, Instant expiresAt,
            boolean rollover, String reason, String createdBy, Instant createdAt, String funding, BigDecimal price, BigDecimal invoiced) {
    }

    /** One movement of a customer's ledger, with the grant's balance after it. */
    public record EntryRow(long entryId, String grantId, String kind, BigDecimal amount, BigDecimal balanceAfter, String invoiceId,
            String reason, Instant at) {
    }

    /** Every grant of one customer, the oldest first (not locked). */
    public List<GrantRow> customerGrants(Connection c, String tenantId, String customerId) throws SQLException {
        List<GrantRow> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select grant_id, amount, remaining, priority, effective_at, expires_at, reason, created_by, created_at, rollover, funding, price,
                  (select coalesce(sum(p.amount), 0) from credit_purchase_instalment p
                   where p.tenant_id = g.tenant_id and p.grant_id = g.grant_id and p.invoice_id is not null)
                from credit_grant g where tenant_id = ? and customer_id = ? order by created_at, grant_id""")) {
            ps.setString(1, tenantId);
            ps.setString(2, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp expires = rs.getTimestamp(6);
                    out.add(new GrantRow(rs.getString(1), rs.getBigDecimal(2), rs.getBigDecimal(3), rs.getInt(4), rs.getTimestamp(5).toInstant(),
                            expires == null ? null : expires.toInstant(), rs.getBoolean(10), rs.getString(7), rs.getString(8),
                            rs.getTimestamp(9).toInstant(), rs.getString(11), rs.getBigDecimal(12), rs.getBigDecimal(13)));
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

    /** A promotional grant (see {@link #grant(Connection, String, String, String, BigDecimal, int, Instant, Instant, boolean, Purchase, String, String)}). */
    public String grant(Connection c, String tenantId, String customerId, String currency, BigDecimal amount, int priority, Instant effectiveAt,
            Instant expiresAt, boolean rollover, String reason, String actor) throws SQLException {
        return grant(c, tenantId, customerId, currency, amount, priority, effectiveAt, expiresAt, rollover, null, reason, actor);
    }

    /** What a purchased grant costs the customer and how it is paid: {@code instalments} of {@code price}, due over the term. */
    public record Purchase(Money price, List<Instalments.Instalment> instalments) {
    }

    /**
     * Grants prepaid credit to a customer (and its GRANTED ledger entry); returns the grant's id. Without
     * {@code rollover} the balance left when the first period it is usable in closes lapses. With a {@code purchase} it
     * is purchased credit, its instalments stored to be invoiced as they fall due ({@link #dueInstalments}); else
     * promotional.
     */
    public String grant(Connection c, String tenantId, String customerId, String currency, BigDecimal amount, int priority, Instant effectiveAt,
            Instant expiresAt, boolean rollover, Purchase purchase, String reason, String actor) throws SQLException {
        String grantId = "crd_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        try (PreparedStatement ps = c.prepareStatement("""
                insert into credit_grant (tenant_id, grant_id, customer_id, currency, amount, remaining, priority, effective_at, expires_at,
                  reason, created_by, rollover, funding, price) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
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
            ps.setString(13, (purchase == null ? Funding.PROMOTIONAL : Funding.PURCHASED).wire());
            ps.setBigDecimal(14, purchase == null ? null : purchase.price().amount());
            ps.executeUpdate();
        }
        if (purchase != null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into credit_purchase_instalment (tenant_id, grant_id, seq, due_at, amount) values (?, ?, ?, ?, ?)")) {
                for (Instalments.Instalment i : purchase.instalments()) {
                    ps.setString(1, tenantId);
                    ps.setString(2, grantId);
                    ps.setInt(3, i.seq());
                    ps.setTimestamp(4, Timestamp.from(i.dueAt()));
                    ps.setBigDecimal(5, i.amount().amount());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
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

    /** An instalment of a purchased grant that is due and not invoiced yet, with what its invoice needs. */
    public record DueInstalment(String tenantId, String grantId, int seq, int of, Instant dueAt, BigDecimal amount, String customerId,
            String externalId, String currency, BigDecimal credit, Instant effectiveAt, Instant expiresAt, String reason) {
    }

    /**
     * The instalments due by {@code now} (of one tenant, or every one: null) not invoiced yet, locked (others skip them)
     * until the caller's transaction ends, in due order.
     */
    public List<DueInstalment> dueInstalments(Connection c, String tenantId, Instant now) throws SQLException {
        List<DueInstalment> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select p.tenant_id, p.grant_id, p.seq, (select count(*) from credit_purchase_instalment x
                         where x.tenant_id = p.tenant_id and x.grant_id = p.grant_id),
                       p.due_at, p.amount, g.customer_id, g.currency, g.amount, g.effective_at, g.expires_at, g.reason, cu.external_id
                from credit_purchase_instalment p join credit_grant g on g.tenant_id = p.tenant_id and g.grant_id = p.grant_id
                join customer cu on cu.tenant_id = g.tenant_id and cu.customer_id = g.customer_id
                where p.invoice_id is null and p.due_at <= ? and (?::text is null or p.tenant_id = ?)
                order by p.tenant_id, p.due_at, p.grant_id, p.seq for update of p skip locked""")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, tenantId);
            ps.setString(3, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp expires = rs.getTimestamp(11);
                    out.add(new DueInstalment(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getTimestamp(5).toInstant(),
                            rs.getBigDecimal(6), rs.getString(7), rs.getString(13), rs.getString(8), rs.getBigDecimal(9),
                            rs.getTimestamp(10).toInstant(), expires == null ? null : expires.toInstant(), rs.getString(12)));
                }
            }
        }
        return out;
    }

    /** Links an instalment to the invoice that bills it. */
    public void invoiced(Connection c, DueInstalment i, String invoiceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update credit_purchase_instalment set invoice_id = ? where tenant_id = ? and grant_id = ? and seq = ?")) {
            ps.setString(1, invoiceId);
            ps.setString(2, i.tenantId());
            ps.setString(3, i.grantId());
            ps.setInt(4, i.seq());
            ps.executeUpdate();
        }
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
