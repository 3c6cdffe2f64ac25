package dev.tally.invoicing.payment;

import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.platform.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Usage export to Stripe Billing meters, for a tenant that bills in Stripe and meters with Tally. Each exported meter
 * maps to a Stripe meter (aggregation {@code sum}, customer mapping by {@code stripe_customer_id}); for every
 * (customer, meter, period) Tally sends meter events whose values add up to the period's usage, whole part
 * ({@link #exportable}: Stripe takes whole numbers only). A retraction sends a negative event.
 *
 * <p><b>Exactly once.</b> A stored snapshot arms an {@code export_usage} provider job in the transaction that stores it
 * ({@link #enqueue}). The job ({@link #run}) first writes its intent — identifier, value, timestamp — in
 * {@code usage_export_state}, then sends it, then records it as exported. A job that finds an intent not yet recorded
 * (a crash or a lost answer after the call) sends the <em>same</em> event again: same identifier, same value, same
 * idempotency key, which Stripe takes once. Only then is the next delta decided, from what Stripe has acknowledged.
 * Each intent's identifier includes the number of events sent before it, so two sends never share one.
 *
 * <p><b>Timestamps</b> are the send's time, or the period's last second for usage that arrives after the period ended
 * (Stripe sums a meter's events by timestamp into its billing period; the Stripe subscription's periods must be
 * Tally's). Stripe takes no events older than 35 days: a later change fails the job for good, with the reason.
 */
@ApplicationScoped
public class UsageExport {
    static final Duration STRIPE_HORIZON = Duration.ofDays(35).minusHours(1);
    private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");

    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;
    @Inject
    PaymentProviders providers;
    @Inject
    AuditLog audit;

    /** A meter exported to Stripe: the Stripe meter's event name. */
    @Schema(name = "UsageExportMeter")
    public record Meter(String meterKey, String stripeEventName, Instant createdAt, String createdBy) {
    }

    /** One (customer, meter, period) as exported: what Stripe has summed, and what the job is doing about it. */
    public record Exported(String customerId, String meterKey, Instant periodStart, BigDecimal usage, BigDecimal exported, int eventsSent,
            String status, String lastError) {
    }

    /** What is exported, and the state of each (customer, meter, period) of the latest jobs, newest periods first. */
    @Schema(name = "UsageExport")
    public record View(List<Meter> meters, List<Exported> exported) {
    }

    /** An event decided and written down, to send (again) until Stripe acknowledges it; or why none can be sent ({@code refusal}). */
    record Intent(String identifier, long value, long timestamp, String refusal) {
        Intent(String identifier, long value, long timestamp) {
            this(identifier, value, timestamp, null);
        }
    }

    /** The job's reference: {@code customer|meter|periodStart}. */
    record Target(String customerId, String meterKey, Instant periodStart) {
        static Target parse(String refId) {
            int last = refId.lastIndexOf('|');
            int meter = refId.lastIndexOf('|', last - 1);
            return new Target(refId.substring(0, meter), refId.substring(meter + 1, last), Instant.parse(refId.substring(last + 1)));
        }
    }

    /** The part of a period's usage Stripe can hold: its whole part (toward zero). */
    public static BigDecimal exportable(BigDecimal usage) {
        return usage.setScale(0, RoundingMode.DOWN);
    }

    /** Arms the export job of every stored snapshot's (customer, meter, period) whose meter is exported, in the storing transaction. */
    public static void enqueue(Connection c, List<RatedUsageV1> snapshots) throws SQLException {
        if (snapshots.isEmpty()) {
            return;
        }
        int n = snapshots.size();
        String[] tenants = new String[n];
        String[] customers = new String[n];
        String[] meters = new String[n];
        String[] periods = new String[n];
        for (int i = 0; i < n; i++) {
            RatedUsageV1 s = snapshots.get(i);
            tenants[i] = s.tenantId();
            customers[i] = s.customerId();
            meters[i] = s.meterKey();
            periods[i] = s.periodStart().toString();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into provider_job (tenant_id, provider, kind, ref_id, idempotency_key)
                select distinct s.t, 'stripe', 'export_usage', s.c || '|' || s.m || '|' || s.p, 'tally-usage'
                from unnest(?::text[], ?::text[], ?::text[], ?::text[]) as s(t, c, m, p)
                where exists (select 1 from usage_export_meter e where e.tenant_id = s.t and e.meter_key = s.m)
                on conflict (tenant_id, kind, ref_id) do update set status = 'pending', attempts = 0, next_attempt_at = now(),
                  last_error = null, done_at = null, revision = provider_job.revision + 1""")) {
            ps.setArray(1, c.createArrayOf("text", tenants));
            ps.setArray(2, c.createArrayOf("text", customers));
            ps.setArray(3, c.createArrayOf("text", meters));
            ps.setArray(4, c.createArrayOf("text", periods));
            ps.executeUpdate();
        }
    }

    /** Exports {@code meterKey} to the Stripe meter named {@code eventName} (audited); the tenant's provider must be Stripe. */
    public Meter configure(Connection c, String tenantId, String meterKey, String eventName, String actor) throws SQLException {
        if (eventName == null || !EVENT_NAME.matcher(eventName).matches()) {
            throw ProblemException.badRequest("invalid-field", "stripeEventName: the Stripe meter's event name, 1 to 100 of A-Z a-z 0-9 _ . : -",
                    "stripeEventName");
        }
        if (!PaymentProviders.STRIPE.equals(providers.config(c, tenantId).provider())) {
            throw ProblemException.conflict("provider-not-stripe", "usage export sends to Stripe: set the tenant's payment provider to stripe "
                    + "first (PUT /v1/payment-provider)", null);
        }
        try (PreparedStatement ps = c.prepareStatement("select 1 from meter where tenant_id = ? and meter_key = ?")) {
            ps.setString(1, tenantId);
            ps.setString(2, meterKey);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ProblemException.notFound("meter-not-found", "no meter '" + meterKey + "' in this tenant");
                }
            }
        }
        Meter before = meters(c, tenantId).stream().filter(m -> m.meterKey().equals(meterKey)).findFirst().orElse(null);
        try (PreparedStatement ps = c.prepareStatement("""
                insert into usage_export_meter (tenant_id, meter_key, stripe_event_name, created_at, created_by) values (?, ?, ?, ?, ?)
                on conflict (tenant_id, meter_key) do update set stripe_event_name = excluded.stripe_event_name""")) {
            ps.setString(1, tenantId);
            ps.setString(2, meterKey);
            ps.setString(3, eventName);
            ps.setTimestamp(4, Timestamp.from(clock.instant()));
            ps.setString(5, actor);
            ps.executeUpdate();
        }
        Meter after = meters(c, tenantId).stream().filter(m -> m.meterKey().equals(meterKey)).findFirst().orElseThrow();
        audit.record(tenantId, actor, "usage_export", meterKey, before == null ? "create" : "update", before, after);
        return after;
    }

    /** Stops exporting {@code meterKey} (what was sent stays at Stripe); false when it was not exported. */
    public boolean remove(Connection c, String tenantId, String meterKey, String actor) throws SQLException {
        Meter before = meters(c, tenantId).stream().filter(m -> m.meterKey().equals(meterKey)).findFirst().orElse(null);
        if (before == null) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("delete from usage_export_meter where tenant_id = ? and meter_key = ?")) {
            ps.setString(1, tenantId);
            ps.setString(2, meterKey);
            ps.executeUpdate();
        }
        audit.record(tenantId, actor, "usage_export", meterKey, "delete", before, null);
        return true;
    }

    public View view(Connection c, String tenantId, int limit) throws SQLException {
        List<Exported> exported = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select ref_id, status, last_error from provider_job where tenant_id = ? and kind = 'export_usage' order by created_at desc limit ?""")) {
            ps.setString(1, tenantId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Target t = Target.parse(rs.getString(1));
                    exported.add(new Exported(t.customerId(), t.meterKey(), t.periodStart(), null, null, 0, rs.getString(2), rs.getString(3)));
                }
            }
        }
        List<Exported> out = new ArrayList<>();
        for (Exported e : exported) {
            Target t = new Target(e.customerId(), e.meterKey(), e.periodStart());
            BigDecimal sent = BigDecimal.ZERO;
            int events = 0;
            try (PreparedStatement ps = c.prepareStatement("""
                    select exported, events_sent from usage_export_state
                    where tenant_id = ? and customer_id = ? and meter_key = ? and period_start = ?""")) {
                bind(ps, tenantId, t);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        sent = rs.getBigDecimal(1);
                        events = rs.getInt(2);
                    }
                }
            }
            out.add(new Exported(e.customerId(), e.meterKey(), e.periodStart(), usage(c, tenantId, t).total(), sent, events, e.status(), e.lastError()));
        }
        out.sort(Comparator.comparing(Exported::periodStart).reversed().thenComparing(Exported::customerId).thenComparing(Exported::meterKey));
        return new View(meters(c, tenantId), out);
    }

    List<Meter> meters(Connection c, String tenantId) throws SQLException {
        List<Meter> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select meter_key, stripe_event_name, created_at, created_by from usage_export_meter where tenant_id = ? order by meter_key""")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Meter(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getString(4)));
                }
            }
        }
        return out;
    }

    private record Usage(BigDecimal total, Instant periodEnd) {
    }

    private static Usage usage(Connection c, String tenantId, Target t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select coalesce(sum(quantity), 0), max(period_end) from usage_snapshot
                where tenant_id = ? and customer_id = ? and meter_key = ? and period_start = ?""")) {
            ps.setString(1, tenantId);
            ps.setString(2, t.customerId());
            ps.setString(3, t.meterKey());
            ps.setTimestamp(4, Timestamp.from(t.periodStart()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp end = rs.getTimestamp(2);
                return new Usage(rs.getBigDecimal(1), end == null ? null : end.toInstant());
            }
        }
    }

    /**
     * The job: sends what Stripe lacks of the period's usage, one acknowledged event at a time. {@code customerRef}
     * gives the customer's Stripe id (creating the customer there if needed).
     */
    void run(ProviderJobs.Job j, CustomerRefs customerRefs) throws Exception {
        Target t = Target.parse(j.refId());
        PaymentProvider.Account account;
        String eventName;
        try (Connection c = dataSource.getConnection()) {
            account = providers.config(c, j.tenantId()).account();
            eventName = meters(c, j.tenantId()).stream().filter(m -> m.meterKey().equals(t.meterKey())).map(Meter::stripeEventName).findFirst()
                    .orElse(null);
        }
        if (eventName == null) {
            return; // the meter is no longer exported
        }
        if (account == null) {
            throw new ProviderException("the tenant's provider is no longer " + j.provider(), false, 0);
        }
        PaymentProvider provider = providers.provider(j.provider());
        String customerRef = customerRefs.of(j, account, provider, t.customerId());
        for (Intent intent = decide(j.tenantId(), t); intent != null; intent = decide(j.tenantId(), t)) {
            if (intent.refusal() != null) {
                throw new ProviderException(intent.refusal(), false, 0);
            }
            provider.meterEvent(account, eventName, customerRef, intent.value(), intent.timestamp(), intent.identifier());
            acknowledge(j.tenantId(), t, intent);
        }
    }

    /** Gives a customer's id at the provider, creating the customer there the first time. */
    interface CustomerRefs {
        String of(ProviderJobs.Job j, PaymentProvider.Account account, PaymentProvider provider, String customerId) throws Exception;
    }

    /** The intent to send: the one written and not yet acknowledged, else the next delta (written now), else null. */
    private Intent decide(String tenantId, Target t) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into usage_export_state (tenant_id, customer_id, meter_key, period_start) values (?, ?, ?, ?)
                        on conflict do nothing""")) {
                    bind(ps, tenantId, t);
                    ps.executeUpdate();
                }
                BigDecimal exported;
                int sent;
                try (PreparedStatement ps = c.prepareStatement("""
                        select exported, events_sent, pending_identifier, pending_value, pending_timestamp from usage_export_state
                        where tenant_id = ? and customer_id = ? and meter_key = ? and period_start = ? for update""")) {
                    bind(ps, tenantId, t);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getString(3) != null) {
                            return new Intent(rs.getString(3), rs.getBigDecimal(4).longValueExact(), rs.getLong(5));
                        }
                        exported = rs.getBigDecimal(1);
                        sent = rs.getInt(2);
                    }
                }
                Usage usage = usage(c, tenantId, t);
                BigDecimal delta = exportable(usage.total()).subtract(exported);
                if (delta.signum() == 0) {
                    return null;
                }
                Instant now = clock.instant();
                Instant at = usage.periodEnd() == null || now.isBefore(usage.periodEnd()) ? now : usage.periodEnd().minusSeconds(1);
                if (at.isBefore(now.minus(STRIPE_HORIZON))) {
                    return new Intent(null, 0, 0, "usage of " + t.meterKey() + " for the period from " + t.periodStart() + " changed by " + delta
                            + " after Stripe's 35-day window for meter events: bill the difference by hand");
                }
                Intent intent = new Intent(identifier(tenantId, t, sent), delta.longValueExact(), at.getEpochSecond());
                try (PreparedStatement ps = c.prepareStatement("""
                        update usage_export_state set pending_identifier = ?, pending_value = ?, pending_timestamp = ?
                        where tenant_id = ? and customer_id = ? and meter_key = ? and period_start = ?""")) {
                    ps.setString(1, intent.identifier());
                    ps.setLong(2, intent.value());
                    ps.setLong(3, intent.timestamp());
                    ps.setString(4, tenantId);
                    ps.setString(5, t.customerId());
                    ps.setString(6, t.meterKey());
                    ps.setTimestamp(7, Timestamp.from(t.periodStart()));
                    ps.executeUpdate();
                }
                return intent;
            }
        });
    }

    private void acknowledge(String tenantId, Target t, Intent intent) {
        QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("""
                         update usage_export_state set exported = exported + pending_value, events_sent = events_sent + 1,
                           pending_identifier = null, pending_value = null, pending_timestamp = null, last_sent_at = ?
                         where tenant_id = ? and customer_id = ? and meter_key = ? and period_start = ? and pending_identifier = ?""")) {
                ps.setTimestamp(1, Timestamp.from(clock.instant()));
                ps.setString(2, tenantId);
                ps.setString(3, t.customerId());
                ps.setString(4, t.meterKey());
                ps.setTimestamp(5, Timestamp.from(t.periodStart()));
                ps.setString(6, intent.identifier());
                return ps.executeUpdate();
            }
        });
    }

    private static void bind(PreparedStatement ps, String tenantId, Target t) throws SQLException {
        ps.setString(1, tenantId);
        ps.setString(2, t.customerId());
        ps.setString(3, t.meterKey());
        ps.setTimestamp(4, Timestamp.from(t.periodStart()));
    }

    /** {@code tally_} and 40 hex digits of SHA-256 over the target and the number of events sent before: unique per send. */
    static String identifier(String tenantId, Target t, int sentBefore) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(String.join("|", tenantId, t.customerId(), t.meterKey(), t.periodStart().toString(),
                    Integer.toString(sentBefore)).getBytes(StandardCharsets.UTF_8));
            return "tally_" + HexFormat.of().formatHex(h, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
