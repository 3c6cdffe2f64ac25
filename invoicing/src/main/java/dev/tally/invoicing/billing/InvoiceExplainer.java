package dev.tally.invoicing.billing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.catalog.MeterEntity;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.reconcile.AcceptedReplay;
import dev.tally.invoicing.reconcile.ArchiveRecount;
import dev.tally.invoicing.reconcile.Reconciler;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.metering.FilterSpec;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.Recount;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.terms.PeriodTerms;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * "Why does my bill look like this?" for a finalized invoice: each line with its meter's definition, quantity, price
 * steps and exact and rounded amounts, the links to its usage per day, and every event behind a line recounted from
 * the accepted events.
 */
@ApplicationScoped
public class InvoiceExplainer {
    @Inject
    DataSource dataSource;
    @Inject
    InvoiceStore invoiceStore;
    @Inject
    Reconciler reconciler;
    @Inject
    AcceptedReplay replay;
    @Inject
    ArchiveRecount archive;
    @Inject
    InvoicingConfig config;
    @Inject
    ObjectMapper json;

    /** Where to look next: which service, and the request to send it (with a tenant key of read scope). */
    public record Link(String service, String method, String path) {
    }

    /** A meter as it is defined now (a meter whose published plan charges it cannot change what it counts). */
    public record MeterView(String key, String eventType, String aggregation, String property, BigDecimal percentile,
            List<FilterSpec> filters, List<String> groupBy) {
    }

    /**
     * One invoice line explained: the meter and how it aggregates, the quantity and the snapshot versions it was
     * priced from, the customer's price override that priced it (null: the plan's price), the price steps, the exact and the rounded amount, and the way to the events: the meter's usage
     * per UTC day (with a few event ids per day) and each event's record.
     */
    public record LineExplanation(String meter, String description, MeterView definition, Instant periodStart, Instant periodEnd,
            BigDecimal quantity, long eventCount, long usageVersion, String priceModel, String priceOverride, List<String> priceSteps,
            BigDecimal exactAmount, BigDecimal amount, Link usagePerDay, Link event) {
    }

    public record Explanation(String invoiceId, String number, String status, String customerId, String externalId, String currency,
            Instant periodStart, Instant periodEnd, List<LineExplanation> lines, List<PeriodTerms.Line> terms,
            List<InvoiceDocumentV1.Adjustment> adjustments,
            List<Link> adjustmentUsage, BigDecimal subtotal, InvoiceDocumentV1.Tax tax, BigDecimal total, String rounding, List<String> notes) {
    }

    /**
     * "Why does my bill look like this?": every line with its meter's definition, the quantity and price steps, and
     * the path to the events behind it.
     */
    /** One event behind a line: its id, event time, the value the meter read (null for COUNT), its key (UNIQUE_COUNT) and group. */
    public record LineEvents(String invoiceId, String meter, Instant periodStart, Instant periodEnd, BigDecimal recountedQuantity,
            long events, List<Recount.Event> page, String next, String note) {
    }

    /**
     * Every event behind one of the invoice's period lines, as they stand now (amendments applied, retractions gone),
     * recounted from the event archive's files of the period's days and the topic's tail past it (or, with the archive
     * off, a replay of tally.events.accepted): pages of {@code limit} (default 1000, at most 10,000) in event-time order,
     * {@code after} the last event id of the previous page. Each page recounts the customer's period (only this
     * customer's records are parsed), so this is an investigation tool, not a hot path.
     */
    public LineEvents events(String tenant, String id, String meter, String after, Integer limit) throws Exception {
        // no transaction around the replay (it may take minutes): the invoice is read on its own
        InvoiceView v;
        try (Connection c = dataSource.getConnection()) {
            v = invoiceStore.get(c, tenant, id);
        }
        if (meter == null || v.lines().stream().noneMatch(l -> meter.equals(l.meter()))) {
            throw ProblemException.badRequest("invalid-field", "meter must be one of the invoice's lines: "
                    + v.lines().stream().map(InvoiceDocumentV1.Line::meter).toList(), "meter");
        }
        if (limit != null && (limit < 1 || limit > 10_000)) {
            throw ProblemException.badRequest("invalid-field", "limit must be between 1 and 10000", "limit");
        }
        MeterDefinition def = reconciler.definition(tenant, meter);
        Recount recount = config.archive().enabled()
                ? archive.recountCustomer(tenant, v.customerId(), v.periodStart(), v.periodEnd(), Duration.ofMinutes(5))
                : replay.replayCustomer(tenant, v.customerId(), v.periodStart(), Duration.ofMinutes(5));
        List<Recount.Event> all = recount.events(def, v.customerId(), v.periodStart());
        BigDecimal quantity = recount.count(List.of(def), 0).entrySet().stream()
                .filter(e -> e.getKey().customerId().equals(v.customerId()) && e.getKey().periodStart().equals(v.periodStart()))
                .map(e -> e.getValue().quantity()).findFirst().orElse(BigDecimal.ZERO);
        int from = 0;
        if (after != null) {
            from = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).eventId().equals(after)) {
                    from = i + 1;
                    break;
                }
            }
            if (from < 0) {
                throw ProblemException.badRequest("invalid-field", "after must be the last event id of the previous page", "after");
            }
        }
        int n = limit == null ? 1000 : limit;
        List<Recount.Event> page = all.subList(Math.min(from, all.size()), Math.min(from + n, all.size()));
        String next = from + n < all.size() ? page.get(page.size() - 1).eventId() : null;
        return new LineEvents(v.invoiceId(), meter, v.periodStart(), v.periodEnd(), Decimals.normalized(quantity),
                all.size(), page, next, "the events as they stand now; the line was priced from quantity " + v.lines().stream()
                        .filter(l -> meter.equals(l.meter())).findFirst().orElseThrow().quantity().toPlainString()
                        + " when the invoice was finalized — usage that arrived later is billed as adjustments on later invoices");
    }

    /** The invoice explained: each line with its meter's definition, the quantity and price steps, and the way to its events. */
    public Explanation explain(String tenant, String id) throws Exception {
        InvoiceView v;
        try (Connection c = dataSource.getConnection()) {
            v = invoiceStore.get(c, tenant, id);
        }
        List<LineExplanation> lines = new ArrayList<>();
        for (InvoiceDocumentV1.Line l : v.lines()) {
            lines.add(new LineExplanation(l.meter(), l.description(), definition(tenant, l.meter()), v.periodStart(), v.periodEnd(), l.quantity(),
                    l.eventCount(), l.usageVersion(), l.priceModel(), l.priceOverride(), l.explanation(), l.exactAmount(), l.amount(),
                    usage(v.customerId(), l.meter(), v.periodStart(), v.periodEnd()), new Link("ingest", "GET", "/v1/events/{eventId}")));
        }
        List<Link> adjustmentUsage = v.adjustments().stream().map(a -> a.meter().contains(":") ? null
                : usage(v.customerId(), a.meter(), a.periodStart(), a.periodEnd())).toList();
        return new Explanation(v.invoiceId(), v.number(), v.status(), v.customerId(), v.externalId(), v.currency(), v.periodStart(),
                v.periodEnd(), lines, v.terms(), v.adjustments(), adjustmentUsage, v.subtotal(), v.tax(), v.total(), v.rounding(), List.of(
                        "quantity is the meter's total over the period (over all groups for a grouped meter), from rating's usage snapshots;"
                                + " usageVersion grows with every change to them",
                        "usagePerDay lists the quantity per UTC day of event time and a few event ids per day; days at a period boundary"
                                + " that is not midnight UTC also hold events of the neighbouring period",
                        "each line is rounded once (" + v.rounding() + "); adjustments bill usage that reached an earlier period after its"
                                + " invoice, and the change it makes to that period's discounts and minimum commitment",
                        "terms: fixed fees prorated by seconds over the part of the period each plan version was in force; then the"
                                + " discounts, in order, on usage plus fixed fees; then the true-up to the minimum commitment",
                        "every event behind a line: GET /v1/invoices/" + v.invoiceId() + "/events?meter=<meter> (recounted from the accepted"
                                + " events; each id leads to ingest's GET /v1/events/{id})"));
    }

    private Link usage(String customerId, String meter, Instant from, Instant to) {
        LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC);
        LocalDate last = LocalDate.ofInstant(to.minusNanos(1), ZoneOffset.UTC);
        return new Link("rating", "GET", "/v1/customers/" + customerId + "/usage?meter=" + meter + "&from=" + first + "&to=" + last.plusDays(1));
    }

    private MeterView definition(String tenant, String meter) throws Exception {
        MeterEntity m = MeterEntity.get(tenant, meter);
        if (m == null) {
            return null;
        }
        return new MeterView(m.meterKey, m.eventType, m.aggregation, m.property, m.percentile,
                json.readValue(m.filtersJson, new TypeReference<List<FilterSpec>>() { }),
                json.readValue(m.groupByJson, new TypeReference<List<String>>() { }));
    }
}
