package dev.tally.invoicing.tax;

import dev.tally.model.tax.TaxRate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/** The tenant's own rates, from {@code tax_rate}: per tax region, the row in force at {@code at} (the latest that began by then). */
@ApplicationScoped
public class TableTaxProvider implements TaxProvider {
    @Inject
    DataSource dataSource;

    /** 19.0000 as stored → 19, 7.2500 → 7.25. */
    public static java.math.BigDecimal plain(java.math.BigDecimal d) {
        java.math.BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    @Override
    public Optional<TaxRate> rateFor(String tenantId, String region, Instant at) {
        if (region == null || region.isBlank()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select name, rate_percent, inclusive from tax_rate where tenant_id = ? and region = ? and effective_from <= ?
                     order by effective_from desc limit 1""")) {
            ps.setString(1, tenantId);
            ps.setString(2, region);
            ps.setTimestamp(3, java.sql.Timestamp.from(at));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new TaxRate(region, rs.getString(1), plain(rs.getBigDecimal(2)), rs.getBoolean(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
