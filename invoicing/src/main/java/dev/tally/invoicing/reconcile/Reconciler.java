package dev.tally.invoicing.reconcile;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.billing.PeriodPricing;
import dev.tally.invoicing.catalog.MeterEntity;
import dev.tally.invoicing.catalog.PriceOverrideStore;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.refund.CreditNoteService;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.FilterSpec;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.Recount;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.terms.CreditNotes;
import dev.tally.platform.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Reconciliation: recounts each customer's usage per meter and period from a replay of the accepted events
 * ({@link AcceptedReplay}, folded by shared-model's {@link Recount}) and compares it with rating's usage
 * snapshots (as invoicing stored them) and with what live invoices billed (the period's invoice and every
 * adjustment since). A key where rating differs from the recount is drift; so is one where rating agrees but the
 * invoices do not and no close will settle it (the customer has no period left to close) or a close should already
 * have (the usage was rated before the customer's last close). The report lists drift with the events the recount
 * counted, and drift raises a {@code reconciliation.drift} webhook and a warning. A key where rating agrees, the
 * usage changed after the customer's last close and a period is left to close is a pending adjustment: listed
 * apart, no alarm, since the customer's next close bills the difference. Runs on demand and on a schedule
 * ({@code tally.invoicing.reconcile-every}).
 */
@ApplicationScoped
public class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    static final int SAMPLE = 20;
    static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(10);

    @Inject
    PriceOverrideStore priceOverrides;
    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;
    @Inject
    AcceptedReplay replay;
    @Inject
    ArchiveRecount archive;
    @Inject
    ObjectMapper json;
    @Inject
    ReconciliationReports reports;

    /**
     * One key compared: the recount, rating's quantity and the invoiced quantity (null when no live invoice billed the
     * period yet), each drift (source minus recount), the recount's events (at most {@value #SAMPLE} ids), and what
     * kind of difference it is (null: none).
     */
    public record Row(String customerId, String meter, Instant periodStart, Instant periodEnd, BigDecimal recounted, long recountedEvents,
            BigDecimal rated, BigDecimal invoiced, BigDecimal ratedDrift, BigDecimal invoicedDrift, List<String> eventIds, DriftKind kind) {
        boolean drifted() {
            return kind != null && kind != DriftKind.PENDING;
        }

        boolean pendingAdjustment() {
            return kind == DriftKind.PENDING;
        }
    }

    /** A report: every key with drift and every pending adjustment (keys that agree are counted, not listed). */
    public record Report(String reconciliationId, String tenantId, Instant periodStart, Instant startedAt, Instant finishedAt,
            long recordsRead, long unreadableRecords, int keysCompared, int drifted, List<Row> drift, Integer pendingAdjustments,
            List<Row> pending, List<String> creditNotes, String triggeredBy, List<String> notes) {
        /** Reports stored before pending adjustments existed have none. */
        public Report {
            pendingAdjustments = pendingAdjustments == null ? 0 : pendingAdjustments;
            pending = pending == null ? List.of() : pending;
        }
    }

    @Inject
    PeriodPricing pricing;
    @Inject
    CreditNoteService creditNotes;
    @Inject
    InvoicingConfig config;

    /**
     * On one instance at a time (a session advisory lock): every period that an invoice finalized in the last day
     * closed, one tenant and period per replay, each replay reading only from shortly before the period's start —
     * memory and time stay bounded by one tenant's period, not by the topic.
     */
    @Scheduled(every = "${tally.invoicing.reconcile-every:6h}", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try (Connection lock = dataSource.getConnection()) {
            try (PreparedStatement ps = lock.prepareStatement("select pg_try_advisory_lock(hashtext('tally:reconcile'))");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return; // another instance is reconciling
                }
            }
            try {
                List<String[]> periods = new ArrayList<>();
                try (PreparedStatement ps = lock.prepareStatement("""
                        select distinct tenant_id, period_start from invoice where finalized_at > now() - interval '1 day'
                        order by tenant_id, period_start""");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        periods.add(new String[] {rs.getString(1), rs.getTimestamp(2).toInstant().toString()});
                    }
                }
                for (String[] p : periods) {
                    try {
                        run(p[0], Instant.parse(p[1]), "schedule", config.invoicing().reconcileCreditOvercharges());
                    } catch (Exception e) {
                        LOG.warnf("scheduled reconciliation of tenant %s, period %s failed: %s", p[0], p[1], e.getMessage());
                    }
                }
            } finally {
                try (PreparedStatement ps = lock.prepareStatement("select pg_advisory_unlock(hashtext('tally:reconcile'))")) {
                    ps.execute();
                }
            }
        } catch (Exception e) {
            LOG.warnf("scheduled reconciliation failed, retrying next round: %s", e.getMessage());
        }
    }

    /**
     * Reconciles one tenant now: every period the replay holds ({@code periodStart} null: the whole topic), or the
     * periods starting at {@code periodStart} (the replay then starts shortly before it).
     */
    public Report run(String tenantId, Instant periodStart, String actor, boolean creditOvercharges) throws Exception {
        return run(tenantId, periodStart, actor, creditOvercharges, config.archive().enabled() ? Source.ARCHIVE : Source.TOPIC);
    }

    /** Where a recount reads the accepted events. */
    public enum Source {
        /** The event archive, and the topic's tail past it ({@link ArchiveRecount}): any period the archive keeps. */
        ARCHIVE,
        /** {@code tally.events.accepted} alone ({@link AcceptedReplay}): the periods its retention still holds whole. */
        TOPIC
    }

    /** As {@link #run(String, Instant, String, boolean)}, recounting from {@code source}. */
    public Report run(String tenantId, Instant periodStart, String actor, boolean creditOvercharges, Source source) throws Exception {
        Instant started = clock.instant();
        List<MeterDefinition> meters = QuarkusTransaction.requiringNew().call(() -> definitions(tenantId));
        if (source == Source.ARCHIVE) {
            ArchiveRecount.Result r = archive.recount(tenantId, periodStart, meters, SAMPLE, REPLAY_TIMEOUT);
            String from = "from the event archive (%d files, %d records) and the %d records of tally.events.accepted past it".formatted(r.files(),
                    r.archivedRecords(), r.tailRecords());
            return compare(tenantId, periodStart, new Recounted(r.counted(), r.read(), r.unreadable()), started, actor, creditOvercharges, from);
        }
        Recount recount = replay.replay(Set.of(tenantId), periodStart, REPLAY_TIMEOUT).get(tenantId);
        return compare(tenantId, periodStart, new Recounted(recount.count(meters, SAMPLE), recount.read(), recount.unreadableRecords()), started,
                actor, creditOvercharges, "from a replay of tally.events.accepted");
    }

    /** A recount's quantities, and how many records it read and could not read. */
    private record Recounted(Map<Recount.Key, Recount.Counted> counted, long read, long unreadable) {
    }

    private Report compare(String tenantId, Instant periodStart, Recounted recount, Instant started, String actor, boolean creditOvercharges,
            String from) throws Exception {
        Map<Recount.Key, Recount.Counted> counted = recount.counted();
        Sources sources;
        try (Connection c = dataSource.getConnection()) {
            sources = Sources.read(c, tenantId, periodStart, clock.instant());
        }
        Set<Recount.Key> keys = new TreeSet<>(Comparator.comparing(Recount.Key::customerId).thenComparing(Recount.Key::meter)
                .thenComparing(Recount.Key::periodStart));
        counted.keySet().stream().filter(k -> periodStart == null || k.periodStart().equals(periodStart)).forEach(keys::add);
        keys.addAll(sources.rated().keySet());
        keys.addAll(sources.invoiced().keySet());
        List<Row> drift = new ArrayList<>();
        List<Row> pending = new ArrayList<>();
        for (Recount.Key k : keys) {
            Row row = compared(k, counted.getOrDefault(k, Recount.Counted.NONE), sources);
            if (row.drifted()) {
                drift.add(row);
            } else if (row.pendingAdjustment()) {
                pending.add(row);
            }
        }
        String reconciliationId = "rec_" + UUID.randomUUID().toString().replace("-", "");
        List<String> notesCreated = creditOvercharges ? creditOvercharges(tenantId, reconciliationId, drift, counted) : List.of();
        Report report = new Report(reconciliationId, tenantId, periodStart, started, clock.instant(), recount.read(), recount.unreadable(),
                keys.size(), drift.size(), drift, pending.size(), pending, notesCreated, actor, notes(from));
        reports.save(report);
        if (!drift.isEmpty()) {
            LOG.warnf("reconciliation %s: tenant %s has drift on %d of %d keys", report.reconciliationId(), tenantId, drift.size(), keys.size());
        }
        return report;
    }

    /** What a report says about how it was made, key by key ({@code from}: where the recount read the events). */
    private static List<String> notes(String from) {
        List<String> notes = new ArrayList<>();
        notes.add("recounted: each event's final state (amendments applied, retractions removed, re-published records once) folded"
                + " with the meter definitions as they are now, " + from);
        notes.addAll(NOTES);
        return notes;
    }

    private static final List<String> NOTES = List.of(
            "rated: rating's latest usage snapshots as invoicing stored them; invoiced: what live invoices billed for the period,"
                    + " its invoice and every adjustment since (null: not invoiced yet)",
            "drift = source − recount; a recount from the topic alone of a period its retention no longer holds whole recounts short",
            "kind: rating — rating differs from the recount; stranded — rating agrees, the invoices do not, the"
                    + " customer has no period left to close, and its stand-alone adjustment invoice should have come by now"
                    + " (the usage arrived before the close grace and some); unsettled — rating agrees, the"
                    + " invoices do not, though the usage was rated before the customer's last close (which should have"
                    + " adjusted it); pending — rating agrees and the usage changed after the customer's last close: its next"
                    + " close (or, with no period left, a stand-alone adjustment invoice) bills the difference. Every kind but pending is drift (and raises reconciliation.drift)",
            "eventIds: the events the recount counted (at most " + SAMPLE + "); GET /v1/events/{id} on ingest shows each",
            "creditNotes: credit notes a run with creditOvercharges created (rule:reconciliation) where rating and the invoice"
                    + " both count more than the recount; above the tenant's threshold they wait for finance");

    /** One key: each source's drift from the recount and what kind of difference it is. */
    private static Row compared(Recount.Key k, Recount.Counted n, Sources sources) {
        BigDecimal r = sources.rated().getOrDefault(k, BigDecimal.ZERO);
        BigDecimal i = sources.invoiced().get(k);
        BigDecimal ratedDrift = r.subtract(n.quantity());
        BigDecimal invoicedDrift = i == null ? null : i.subtract(n.quantity());
        DriftKind kind = null;
        if (ratedDrift.signum() != 0) {
            kind = DriftKind.RATING;
        } else if (invoicedDrift != null && invoicedDrift.signum() != 0) {
            Sources.Closes cl = sources.closes().getOrDefault(k.customerId(), new Sources.Closes(null, false));
            Instant at = sources.ratedAt().get(k);
            kind = !cl.periodLeft() ? (at != null && at.isAfter(sources.quietSince()) ? DriftKind.PENDING : DriftKind.STRANDED)
                    : at != null && cl.lastClose() != null && !at.isAfter(cl.lastClose()) ? DriftKind.UNSETTLED : DriftKind.PENDING;
        }
        return new Row(k.customerId(), k.meter(), k.periodStart(), k.periodEnd(), Decimals.normalized(n.quantity()), n.events(),
                Decimals.normalized(r), i == null ? null : Decimals.normalized(i), Decimals.normalized(ratedDrift),
                invoicedDrift == null ? null : Decimals.normalized(invoicedDrift), n.eventIds(), kind);
    }

    /**
     * The rule "reconciliation found an overcharge": where rating and the invoice both count more than the events do
     * (a double count that the invoice cannot correct by itself, since rating's own figure is wrong), a credit note
     * of the line as billed minus the line as the recount prices it (by the period's plan version, rounded once) on
     * the period's invoice — issued up to the tenant's approval threshold, else waiting for finance. The same where only
     * the invoice is ahead and no close will adjust it (stranded: the customer has no period left to close). Where a
     * next close will adjust it, that close does.
     */
    private List<String> creditOvercharges(String tenantId, String reconciliationId, List<Row> drift, Map<Recount.Key, Recount.Counted> counted) {
        List<String> created = new ArrayList<>();
        for (Row row : drift) {
            if (row.invoicedDrift() == null || row.invoicedDrift().signum() <= 0
                    || row.ratedDrift().signum() <= 0 && row.kind() != DriftKind.STRANDED) {
                continue;
            }
            try {
                String id = QuarkusTransaction.requiringNew().call(() -> creditOvercharge(tenantId, reconciliationId, row, counted.getOrDefault(
                        new Recount.Key(row.customerId(), row.meter(), row.periodStart(), row.periodEnd()), Recount.Counted.NONE)));
                if (id != null) {
                    created.add(id);
                }
            } catch (Exception e) {
                LOG.warnf("reconciliation %s: no credit note for %s/%s: %s", reconciliationId, row.customerId(), row.meter(), e.getMessage());
            }
        }
        return created;
    }

    /** What a period's live invoice billed for a meter, and under which subscription (its phases name the plan versions). */
    private record Billed(String invoiceId, BigDecimal amount, String currency, Subscription subscription) {
    }

    /** One drifted row's credit note, in the caller's (new) transaction: the line as billed minus the line as the recount prices it. */
    private String creditOvercharge(String tenantId, String reconciliationId, Row row, Recount.Counted recount) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            Billed billed = billed(c, tenantId, row);
            if (billed == null) {
                return null;
            }
            Map<Instant, PlanCharges.MeterUsage> segments = new HashMap<>();
            recount.segments().forEach((start, part) -> segments.put(start, new PlanCharges.MeterUsage(part.quantity(), part.events(),
                    part.groups())));
            var fair = pricing.charge(tenantId, billed.subscription(), priceOverrides.ofCustomer(c, tenantId, row.customerId()), billed.currency(),
                    new BillingPeriod(row.periodStart(), row.periodEnd()), row.meter(), new PlanCharges.MeterUsage(row.recounted(),
                            row.recountedEvents(), recount.groups(), segments));
            BigDecimal over = fair == null ? BigDecimal.ZERO : billed.amount().subtract(fair.amount());
            if (over.signum() <= 0) {
                return null;
            }
            var note = creditNotes.create(c, tenantId, billed.invoiceId(), List.of(new CreditNotes.Requested("line:" + row.meter(), over)),
                    "reconciliation " + reconciliationId + ": billed " + billed.amount().toPlainString() + " for " + row.invoiced().toPlainString()
                            + ", the events recount " + row.recounted().toPlainString() + " (" + fair.amount().toPlainString() + ")", "refund",
                    CreditNoteService.RULE_RECONCILIATION, true, "rule:reconciliation", clock.instant());
            return note.creditNoteId();
        }
    }

    private static Billed billed(Connection c, String tenantId, Row row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select b.invoice_id, b.billed_amount, i.currency, b.subscription_id from billed_usage b
                join invoice i on i.tenant_id = b.tenant_id and i.invoice_id = b.invoice_id
                where b.tenant_id = ? and b.customer_id = ? and b.period_start = ? and b.meter_key = ?""")) {
            ps.setString(1, tenantId);
            ps.setString(2, row.customerId());
            ps.setTimestamp(3, Timestamp.from(row.periodStart()));
            ps.setString(4, row.meter());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Billed(rs.getString(1), rs.getBigDecimal(2), rs.getString(3),
                        SubscriptionService.load(SubscriptionEntity.get(tenantId, rs.getString(4)))) : null;
            }
        }
    }

    /** A meter of the tenant as shared-model defines it (404 when there is none). */
    public MeterDefinition definition(String tenantId, String meter) {
        return QuarkusTransaction.requiringNew().call(() -> definitions(tenantId)).stream().filter(m -> m.key().equals(meter)).findFirst().orElseThrow(
                () -> ProblemException.notFound("meter-not-found", "no meter '" + meter + "'"));
    }

    private List<MeterDefinition> definitions(String tenantId) {
        List<MeterDefinition> out = new ArrayList<>();
        for (MeterEntity m : MeterEntity.<MeterEntity>list("tenantId", tenantId)) {
            try {
                out.add(new MeterDefinition(m.meterKey, m.eventType, Aggregation.valueOf(m.aggregation), m.property,
                        FilterSpec.compile(json.readValue(m.filtersJson, new TypeReference<List<FilterSpec>>() { })),
                        json.readValue(m.groupByJson, new TypeReference<List<String>>() { }), m.percentile));
            } catch (Exception e) {
                throw new IllegalStateException("meter " + m.meterKey + " cannot be compiled: " + e.getMessage(), e);
            }
        }
        return out;
    }

}
