package dev.tally.invoicing.billing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * What the chart's alerts watch in invoicing, as Prometheus gauges: the last scheduled close run
 * ({@code tally_close_last_run_timestamp_seconds}, {@code tally_close_last_failures}), the tenants whose latest
 * reconciliation found drift ({@code tally_reconciliation_tenants_with_drift}), credit notes waiting for finance
 * ({@code tally_credit_notes_pending_approval}) and webhook deliveries given up ({@code tally_webhook_deliveries_failed}).
 * The database figures are read at most every 30 s, on scrape.
 */
@ApplicationScoped
public class InvoicingMetrics {
    @Inject
    MeterRegistry registry;
    @Inject
    PeriodCloser closer;
    @Inject
    DataSource dataSource;

    private volatile long readAt;
    private volatile double[] figures = {Double.NaN, Double.NaN, Double.NaN};

    void register(@Observes StartupEvent e) {
        Gauge.builder("tally.close.last.run.timestamp.seconds", closer, c -> c.lastRun() == null ? Double.NaN : c.lastRun().finishedAt().getEpochSecond())
                .description("when this instance's last scheduled period-close run finished").register(registry);
        Gauge.builder("tally.close.last.duration.seconds", closer,
                        c -> c.lastRun() == null ? Double.NaN : Duration.between(c.lastRun().startedAt(), c.lastRun().finishedAt()).toMillis() / 1000.0)
                .description("how long this instance's last scheduled period-close run took").register(registry);
        Gauge.builder("tally.close.last.finalized", closer, c -> c.lastRun() == null ? 0 : c.lastRun().finalized())
                .description("invoices finalized by this instance's last scheduled period-close run").register(registry);
        Gauge.builder("tally.close.last.failures", closer, c -> c.lastRun() == null ? 0 : c.lastRun().failures())
                .description("tenants and periods that failed in the last scheduled close run").register(registry);
        Gauge.builder("tally.reconciliation.tenants.with.drift", this, m -> m.read()[0])
                .description("tenants whose latest reconciliation found drift").register(registry);
        Gauge.builder("tally.credit.notes.pending.approval", this, m -> m.read()[1])
                .description("credit notes waiting for a finance approval, all tenants").register(registry);
        Gauge.builder("tally.webhook.deliveries.failed", this, m -> m.read()[2])
                .description("webhook deliveries given up after every retry, all tenants").register(registry);
    }

    private synchronized double[] read() {
        long now = System.nanoTime();
        if (now - readAt > 30_000_000_000L) {
            readAt = now;
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    select (select count(*) from tenant t where (select r.drifted from reconciliation r where r.tenant_id = t.tenant_id
                              order by r.started_at desc limit 1) > 0),
                           (select count(*) from credit_note where status = 'pending_approval'),
                           (select count(*) from webhook_delivery where status = 'failed')""")) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    figures = new double[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
                }
            } catch (Exception ex) {
                figures = new double[] {Double.NaN, Double.NaN, Double.NaN};
            }
        }
        return figures;
    }
}
