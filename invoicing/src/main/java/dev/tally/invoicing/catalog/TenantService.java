package dev.tally.invoicing.catalog;

import dev.tally.model.pricing.Decimals;
import dev.tally.model.tax.TaxPoint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * A tenant's billing settings, in its {@code tenant} row: how long after a period's end it closes, its invoice
 * number prefix, its credit-note approval threshold and its tax point. In the caller's transaction (the data source's connections
 * join it).
 */
@ApplicationScoped
public class TenantService {
    @Inject
    DataSource dataSource;

    /** The settings as stored; {@code creditNoteApprovalThreshold} normalized, or null when every rule-made note waits. */
    public record Settings(Duration closeGrace, String invoicePrefix, BigDecimal creditNoteApprovalThreshold, TaxPoint taxPoint) {
    }

    /** The tax point of an existing tenant (which instant's tax rate its invoices apply). */
    public TaxPoint taxPoint(String tenantId) throws SQLException {
        return settings(tenantId).taxPoint();
    }

    /** The settings of an existing tenant. */
    public Settings settings(String tenantId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select extract(epoch from close_grace)::bigint, invoice_prefix, credit_note_approval_threshold, tax_point from tenant where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Settings(Duration.ofSeconds(rs.getLong(1)), rs.getString(2),
                        rs.getBigDecimal(3) == null ? null : Decimals.normalized(rs.getBigDecimal(3)), TaxPoint.of(rs.getString(4)));
            }
        }
    }

    /** Changes the settings given; a null one stays as it is. */
    public void update(String tenantId, Duration closeGrace, String invoicePrefix, BigDecimal creditNoteApprovalThreshold, TaxPoint taxPoint)
            throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update tenant set close_grace = coalesce(?::bigint * interval '1 second', close_grace),
                  invoice_prefix = coalesce(?, invoice_prefix),
                  credit_note_approval_threshold = coalesce(?, credit_note_approval_threshold),
                  tax_point = coalesce(?, tax_point) where tenant_id = ?""")) {
            ps.setObject(1, closeGrace == null ? null : closeGrace.toSeconds(), Types.BIGINT);
            ps.setString(2, invoicePrefix);
            ps.setBigDecimal(3, creditNoteApprovalThreshold);
            ps.setString(4, taxPoint == null ? null : taxPoint.wire());
            ps.setString(5, tenantId);
            ps.executeUpdate();
        }
    }
}
