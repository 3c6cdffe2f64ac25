package dev.tally.invoicing.coupon;

import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.terms.Coupons;
import dev.tally.model.terms.Discount;
import dev.tally.model.terms.PeriodTerms;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code coupon}, {@code coupon_redemption} and {@code coupon_application} tables, in the caller's connection (and
 * transaction).
 */
@ApplicationScoped
public class CouponStore {
    /** A coupon as stored; {@code periods}, {@code maxRedemptions}, {@code redeemBy} and {@code archivedAt} may be null. */
    public record Coupon(String code, String name, Discount.Kind kind, BigDecimal value, String currency, Integer periods, Integer maxRedemptions,
            Instant redeemBy, Instant archivedAt, Instant createdAt, long redemptions) {
    }

    /** A redemption as stored, with the customer it belongs to. */
    public record Stored(String customerId, Coupons.Redemption redemption) {
    }

    static String wire(Discount.Kind kind) {
        return kind.name().toLowerCase();
    }

    public void insert(Connection c, String tenantId, Coupon k, String actor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into coupon (tenant_id, code, name, kind, value, currency, periods, max_redemptions, redeem_by, created_by)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, tenantId);
            ps.setString(2, k.code());
            ps.setString(3, k.name());
            ps.setString(4, wire(k.kind()));
            ps.setBigDecimal(5, k.value());
            ps.setString(6, k.currency());
            ps.setObject(7, k.periods());
            ps.setObject(8, k.maxRedemptions());
            ps.setTimestamp(9, k.redeemBy() == null ? null : Timestamp.from(k.redeemBy()));
            ps.setString(10, actor);
            ps.executeUpdate();
        }
    }

    /** The tenant's coupons (or the one {@code code}, locked: {@code lock}), with how many times each was redeemed. */
    public List<Coupon> coupons(Connection c, String tenantId, String code, boolean lock) throws SQLException {
        List<Coupon> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select k.code, k.name, k.kind, k.value, k.currency, k.periods, k.max_redemptions, k.redeem_by, k.archived_at, k.created_at,
                       (select count(*) from coupon_redemption r where r.tenant_id = k.tenant_id and r.code = k.code)
                from coupon k where k.tenant_id = ? and (?::text is null or k.code = ?) order by k.created_at, k.code"""
                + (lock ? " for update" : ""))) {
            ps.setString(1, tenantId);
            ps.setString(2, code);
            ps.setString(3, code);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Coupon(rs.getString(1), rs.getString(2), Discount.Kind.valueOf(rs.getString(3).toUpperCase()), rs.getBigDecimal(4),
                            rs.getString(5), (Integer) rs.getObject(6), (Integer) rs.getObject(7), instant(rs.getTimestamp(8)),
                            instant(rs.getTimestamp(9)), rs.getTimestamp(10).toInstant(), rs.getLong(11)));
                }
            }
        }
        return out;
    }

    public void archive(Connection c, String tenantId, String code, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update coupon set archived_at = ? where tenant_id = ? and code = ? and archived_at is null")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, tenantId);
            ps.setString(3, code);
            ps.executeUpdate();
        }
    }

    public void redeem(Connection c, String tenantId, String customerId, Coupons.Redemption r, String actor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into coupon_redemption (tenant_id, redemption_id, code, name, customer_id, subscription_id, kind, value, periods,
                  redeemed_at, redeemed_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, tenantId);
            ps.setString(2, r.redemptionId());
            ps.setString(3, r.code());
            ps.setString(4, r.name());
            ps.setString(5, customerId);
            ps.setString(6, r.subscriptionId());
            ps.setString(7, wire(r.kind()));
            ps.setBigDecimal(8, r.value());
            ps.setObject(9, r.periods());
            ps.setTimestamp(10, Timestamp.from(r.redeemedAt()));
            ps.setString(11, actor);
            ps.executeUpdate();
        }
    }

    /**
     * The redemptions of these customers by customer id, each with the number of live (not void) invoices that applied
     * it so far.
     */
    public Map<String, List<Coupons.Redemption>> redemptions(Connection c, String tenantId, Collection<String> customerIds) throws SQLException {
        Map<String, List<Coupons.Redemption>> out = new HashMap<>();
        for (Stored s : stored(c, tenantId, customerIds)) {
            out.computeIfAbsent(s.customerId(), k -> new ArrayList<>()).add(s.redemption());
        }
        return out;
    }

    /** As {@link #redemptions}, as a list with the customer of each, oldest first. */
    public List<Stored> stored(Connection c, String tenantId, Collection<String> customerIds) throws SQLException {
        List<Stored> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select r.customer_id, r.redemption_id, r.code, r.name, r.kind, r.value, r.periods, r.subscription_id, r.redeemed_at,
                       (select count(*) from coupon_application a join invoice i on i.tenant_id = a.tenant_id and i.invoice_id = a.invoice_id
                        where a.tenant_id = r.tenant_id and a.redemption_id = r.redemption_id and i.status <> 'void')
                from coupon_redemption r where r.tenant_id = ? and r.customer_id = any(?) order by r.redeemed_at, r.redemption_id""")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", customerIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Stored(rs.getString(1), new Coupons.Redemption(rs.getString(2), rs.getString(3), rs.getString(4),
                            Discount.Kind.valueOf(rs.getString(5).toUpperCase()), rs.getBigDecimal(6), (Integer) rs.getObject(7), rs.getString(8),
                            rs.getTimestamp(9).toInstant(), rs.getInt(10))));
                }
            }
        }
        return out;
    }

    /** What these invoices applied: one row per coupon line (its key names the redemption). */
    public void recordApplications(Connection c, String tenantId, List<InvoiceDocumentV1> invoices) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into coupon_application (tenant_id, redemption_id, invoice_id, amount) values (?, ?, ?, ?)")) {
            boolean any = false;
            for (InvoiceDocumentV1 d : invoices) {
                for (PeriodTerms.Line t : d.terms()) {
                    if (t.key().startsWith(Coupons.KEY_PREFIX)) {
                        ps.setString(1, tenantId);
                        ps.setString(2, t.key().substring(Coupons.KEY_PREFIX.length()));
                        ps.setString(3, d.invoiceId());
                        ps.setBigDecimal(4, t.amount());
                        ps.addBatch();
                        any = true;
                    }
                }
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
