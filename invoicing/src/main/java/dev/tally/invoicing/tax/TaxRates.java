package dev.tally.invoicing.tax;

import dev.tally.model.pricing.Decimals;
import dev.tally.model.tax.TaxRate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The tenant's tax rates, {@code tax_rate}: dated rows per tax region, the one in force at an instant being the
 * latest that began by then (later ones are scheduled changes). In the caller's transaction (the data source's
 * connections join it).
 */
@ApplicationScoped
public class TaxRates {
    /** One region's row in force at {@code %s}: the latest that began by then. */
    private static final String IN_FORCE = """
            select name, rate_percent, inclusive from tax_rate where tenant_id = ? and region = ? and effective_from <= %s
            order by effective_from desc limit 1""";
    private static final String IN_FORCE_NOW = IN_FORCE.formatted("now()");
    private static final String IN_FORCE_AT = IN_FORCE.formatted("?");

    @Inject
    DataSource dataSource;

    /** A scheduled change: the rate a region takes at {@code effectiveFrom}. */
    public record Scheduled(String region, String name, BigDecimal ratePercent, boolean inclusive, Instant effectiveFrom) {
    }

    /** The rates in force now (the database's {@code now()}), one per region, by region. */
    public List<TaxRate> inForce(String tenantId) throws SQLException {
        List<TaxRate> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select distinct on (region) region, name, rate_percent, inclusive from tax_rate where tenant_id = ? and effective_from <= now()
                order by region, effective_from desc""")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TaxRate(rs.getString(1), rs.getString(2), Decimals.normalized(rs.getBigDecimal(3)), rs.getBoolean(4)));
                }
            }
        }
        return out;
    }

    /** The changes that apply later than now (the database's {@code now()}), by region and date. */
    public List<Scheduled> scheduled(String tenantId) throws SQLException {
        List<Scheduled> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select region, name, rate_percent, inclusive, effective_from from tax_rate where tenant_id = ? and effective_from > now()
                order by region, effective_from""")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Scheduled(rs.getString(1), rs.getString(2), Decimals.normalized(rs.getBigDecimal(3)), rs.getBoolean(4),
                            rs.getTimestamp(5).toInstant()));
                }
            }
        }
        return out;
    }

    /** The region's rate in force now (the database's {@code now()}, the transaction's start), or empty. */
    public Optional<TaxRate> current(String tenantId, String region) throws SQLException {
        return inForce(IN_FORCE_NOW, tenantId, region, null);
    }

    /** The region's rate in force at {@code at}, or empty. */
    public Optional<TaxRate> at(String tenantId, String region, Instant at) throws SQLException {
        return inForce(IN_FORCE_AT, tenantId, region, at);
    }

    private Optional<TaxRate> inForce(String sql, String tenantId, String region, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenantId);
            ps.setString(2, region);
            if (at != null) {
                ps.setTimestamp(3, Timestamp.from(at));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new TaxRate(region, rs.getString(1), Decimals.normalized(rs.getBigDecimal(2)), rs.getBoolean(3))) : Optional.empty();
            }
        }
    }

    /** Sets the region's rate from {@code from} on (replacing a row that starts at the same instant). */
    public void put(String tenantId, TaxRate rate, Instant from) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into tax_rate (tenant_id, region, name, rate_percent, inclusive, effective_from) values (?, ?, ?, ?, ?, ?)
                on conflict (tenant_id, region, effective_from) do update set name = excluded.name, rate_percent = excluded.rate_percent,
                  inclusive = excluded.inclusive, updated_at = now()""")) {
            ps.setString(1, tenantId);
            ps.setString(2, rate.region());
            ps.setString(3, rate.name());
            ps.setBigDecimal(4, rate.ratePercent());
            ps.setBoolean(5, rate.inclusive());
            ps.setTimestamp(6, Timestamp.from(from));
            ps.executeUpdate();
        }
    }

    /** Removes every row of the region, scheduled ones included: the region is no longer taxed. */
    public void delete(String tenantId, String region) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "delete from tax_rate where tenant_id = ? and region = ?")) {
            ps.setString(1, tenantId);
            ps.setString(2, region);
            ps.executeUpdate();
        }
    }
}
