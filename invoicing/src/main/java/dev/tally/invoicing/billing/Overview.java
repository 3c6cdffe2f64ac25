package dev.tally.invoicing.billing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What an operator watches across tenants, in one query: per tenant the credit notes waiting for finance and its
 * latest reconciliation (drift or not); and this instance's last period-close run.
 */
@ApplicationScoped
public class Overview {
    @Inject
    DataSource dataSource;
    @Inject
    PeriodCloser closer;

    public record TenantStatus(String tenantId, String name, long pendingApprovals, String lastReconciliationId, Instant lastReconciledAt,
            Integer drifted) {
    }

    @Schema(name = "Overview")
    public record View(PeriodCloser.Run lastClose, List<TenantStatus> tenants, long tenantsWithDrift, long pendingApprovals) {
    }

    public View read() throws SQLException {
        List<TenantStatus> tenants = new ArrayList<>();
        long drifting = 0;
        long pending = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select t.tenant_id, t.name,
                  (select count(*) from credit_note n where n.tenant_id = t.tenant_id and n.status = 'pending_approval'),
                  r.reconciliation_id, r.started_at, r.drifted
                from tenant t
                left join lateral (select reconciliation_id, started_at, drifted from reconciliation r
                                   where r.tenant_id = t.tenant_id order by started_at desc limit 1) r on true
                order by t.created_at""")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp at = rs.getTimestamp(5);
                    Integer drifted = rs.getObject(6) == null ? null : rs.getInt(6);
                    TenantStatus t = new TenantStatus(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                            at == null ? null : at.toInstant(), drifted);
                    tenants.add(t);
                    drifting += drifted != null && drifted > 0 ? 1 : 0;
                    pending += t.pendingApprovals();
                }
            }
        }
        return new View(closer.lastRun(), tenants, drifting, pending);
    }
}
