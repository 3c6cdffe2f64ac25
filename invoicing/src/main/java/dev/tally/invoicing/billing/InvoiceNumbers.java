package dev.tally.invoicing.billing;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The tenant's gapless number series: invoices ({@code INV}) and credit notes ({@code CN}), one counter row per (tenant, series, year). */
@ApplicationScoped
public class InvoiceNumbers {
    /**
     * The tenant's next {@code n} invoice numbers, {@code PREFIX-YYYY-NNNNNN}: the counter row of (tenant, year) is
     * moved by {@code n} in the caller's transaction, so concurrent finalizations queue on it and a rollback returns
     * the numbers.
     */
    public List<String> nextNumbers(Connection c, String tenantId, Instant now, int n) throws SQLException {
        return nextNumbers(c, tenantId, now, n, "INV", "");
    }

    /**
     * As {@link #nextNumbers(Connection, String, Instant, int)} in another gapless series of the tenant: credit notes
     * are {@code series} "CN", numbered {@code PREFIX-CN-YYYY-NNNNNN} ({@code infix} "CN-").
     */
    public List<String> nextNumbers(Connection c, String tenantId, Instant now, int n, String series, String infix) throws SQLException {
        int year = now.atZone(ZoneOffset.UTC).getYear();
        String prefix;
        try (PreparedStatement ps = c.prepareStatement("select invoice_prefix, name from tenant where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no tenant " + tenantId);
                }
                prefix = rs.getString(1) != null ? rs.getString(1) : prefixOf(rs.getString(2), tenantId);
            }
        }
        long last;
        try (PreparedStatement ps = c.prepareStatement("""
                insert into invoice_counter (tenant_id, series, year, last_number) values (?, ?, ?, ?)
                on conflict (tenant_id, series, year) do update set last_number = invoice_counter.last_number + excluded.last_number
                returning last_number""")) {
            ps.setString(1, tenantId);
            ps.setString(2, series);
            ps.setInt(3, year);
            ps.setLong(4, n);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                last = rs.getLong(1);
            }
        }
        List<String> out = new ArrayList<>(n);
        for (long k = last - n + 1; k <= last; k++) {
            out.add(String.format(Locale.ROOT, "%s-%s%d-%06d", prefix, infix, year, k));
        }
        return out;
    }

    /** The tenant's name in capitals and digits (at most 12), e.g. "Acme, Inc." → ACMEINC; the tenant id without one. */
    static String prefixOf(String name, String tenantId) {
        String p = name == null ? "" : name.replaceAll("[^A-Za-z0-9]", "").toUpperCase(Locale.ROOT);
        if (p.length() > 12) {
            p = p.substring(0, 12);
        }
        return p.isEmpty() ? tenantId.toUpperCase(Locale.ROOT) : p;
    }
}
