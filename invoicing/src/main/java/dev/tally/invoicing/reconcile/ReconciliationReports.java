package dev.tally.invoicing.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.reconcile.Reconciler.Report;
import dev.tally.invoicing.webhook.Webhooks;
import dev.tally.platform.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The {@code reconciliation} table: each run's report as JSON, scoped to its tenant. */
@ApplicationScoped
public class ReconciliationReports {
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    Webhooks webhooks;

    /** Stores a report in its own transaction; drift raises a {@code reconciliation.drift} webhook with it. */
    void save(Report report) throws Exception {
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into reconciliation (reconciliation_id, tenant_id, period_start, started_at, finished_at, records_read, keys_compared,
                          drifted, triggered_by, report) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                    ps.setString(1, report.reconciliationId());
                    ps.setString(2, report.tenantId());
                    ps.setTimestamp(3, report.periodStart() == null ? null : Timestamp.from(report.periodStart()));
                    ps.setTimestamp(4, Timestamp.from(report.startedAt()));
                    ps.setTimestamp(5, Timestamp.from(report.finishedAt()));
                    ps.setLong(6, report.recordsRead());
                    ps.setInt(7, report.keysCompared());
                    ps.setInt(8, report.drifted());
                    ps.setString(9, report.triggeredBy());
                    ps.setString(10, json.writeValueAsString(report));
                    ps.executeUpdate();
                }
                if (report.drifted() > 0) {
                    Map<String, Object> event = new LinkedHashMap<>();
                    event.put("id", report.reconciliationId());
                    event.put("type", Webhooks.RECONCILIATION_DRIFT);
                    event.put("createdAt", report.finishedAt());
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("reconciliationId", report.reconciliationId());
                    data.put("drifted", report.drifted());
                    data.put("keysCompared", report.keysCompared());
                    data.put("drift", report.drift().stream().limit(100).toList());
                    event.put("data", data);
                    webhooks.enqueue(c, report.tenantId(), report.reconciliationId(), Webhooks.RECONCILIATION_DRIFT, json.writeValueAsString(event));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The tenant's reports, newest first (without their rows). */
    public List<Report> list(String tenantId, int limit) throws Exception {
        List<Report> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select report from reconciliation where tenant_id = ? order by started_at desc limit " + limit)) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Report r = json.readValue(rs.getString(1), Report.class);
                    out.add(new Report(r.reconciliationId(), r.tenantId(), r.periodStart(), r.startedAt(), r.finishedAt(), r.recordsRead(),
                            r.unreadableRecords(), r.keysCompared(), r.drifted(), List.of(), r.pendingAdjustments(), List.of(), r.creditNotes(),
                            r.triggeredBy(), r.notes()));
                }
            }
        }
        return out;
    }

    public Report get(String tenantId, String id) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select report from reconciliation where tenant_id = ? and reconciliation_id = ?")) {
            ps.setString(1, tenantId);
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ProblemException.notFound("reconciliation-not-found", "no reconciliation '" + id
                            + "' in this tenant");
                }
                return json.readValue(rs.getString(1), Report.class);
            }
        }
    }
}
